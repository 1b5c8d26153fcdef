/** eslint-plugin-security ships no types; the bench only reads its recommended flat config. */
declare module 'eslint-plugin-security' {
  const plugin: { configs: { recommended: Record<string, unknown> } };
  export default plugin;
}
