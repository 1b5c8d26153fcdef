/**
 * Secrets that show up as HMAC keys in real applications because a tutorial, README, framework
 * template or `.env.example` used them, plus the most common passwords. A token that verifies with
 * one of these can be forged by anyone (RFC 8725 §3.5). Written for Session Lens; grouped by origin.
 */

/** The candidate secrets, as text (UTF-8) or raw bytes. */
export const WEAK_SECRETS: readonly (string | Uint8Array)[] = [
  // Empty and trivial
  '', ' ', 'a', 'x', 'xxx', 'aaaa', '1', '12', '123', '1234', '12345', '123456', '1234567', '12345678', '123456789',
  '1234567890', '0123456789', '0000', '000000', '111111', '123123', '654321', '9999', 'abc', 'abc123', 'abcd', 'abcdef',
  'abcdefg', 'abcdefgh', 'abcdefghijklmnopqrstuvwxyz', 'qwerty', 'qwerty123', 'qwertyuiop', 'asdf', 'asdfghjkl',
  'zxcvbnm', '1q2w3e4r', '1qaz2wsx', 'qazwsx', 'zaq12wsx',
  // "secret" and its spellings
  'secret', 'Secret', 'SECRET', 'secret1', 'secret12', 'secret123', 'Secret123', 'secret!', 'secrets', 'secretkey',
  'secretKey', 'SecretKey', 'secret_key', 'SECRET_KEY', 'secret-key', 'secret key', 'secretsecret', 'secretpassword',
  'secret_password', 'secretpass', 's3cr3t', 's3cret', 'S3cr3t', 'secr3t', 'Secr3t', 's3cr3t_k3y', 'mysecret',
  'mySecret', 'MySecret', 'my_secret', 'my-secret', 'MY_SECRET', 'mysecretkey', 'mySecretKey', 'MySecretKey',
  'my_secret_key', 'my-secret-key', 'MY_SECRET_KEY', 'mysecretpassword', 'mysecretpass', 'topsecret', 'top_secret',
  'top-secret', 'TopSecret', 'supersecret', 'superSecret', 'SuperSecret', 'super_secret', 'super-secret',
  'supersecretkey', 'SuperSecretKey', 'super_secret_key', 'super-secret-key', 'supersecretpassword',
  'mysupersecretkey', 'my-super-secret-key', 'my_super_secret_key', 'MySuperSecretKey', 'verysecret', 'very_secret',
  'verysecretkey', 'very-secret-key', 'thisismysecret', 'thisisasecret', 'this-is-a-secret', 'ThisIsMySecret',
  'thisisthesecret', 'notsecret', 'not-so-secret', 'notasecret', 'nosecret', 'secretsauce', 'shh', 'shhh',
  'shhhh', 'shhhhh', 'shhhhhh', 'shhhhhhared-secret', 'shhhhhared-secret', 'hush',
  // JWT-specific names
  'jwt', 'JWT', 'jwtsecret', 'jwtSecret', 'JwtSecret', 'jwt_secret', 'JWT_SECRET', 'jwt-secret', 'jwt_secret_key',
  'JWT_SECRET_KEY', 'jwt-secret-key', 'jwtsecretkey', 'jwtSecretKey', 'jwtkey', 'jwtKey', 'jwt_key', 'JWT_KEY',
  'jwt-key', 'jwt-auth', 'jwtauth', 'jwt_token', 'jwttoken', 'jwtpassword', 'jsonwebtoken', 'HS256', 'hs256',
  'hs256-secret', '256-bit-secret', 'your-256-bit-secret', 'your-384-bit-secret', 'your-512-bit-secret',
  'a-string-secret-at-least-256-bits-long', 'token', 'tokensecret', 'tokenSecret', 'token_secret', 'TOKEN_SECRET',
  'token-secret', 'tokenkey', 'token_key', 'token-key', 'access', 'accesssecret', 'access_secret', 'access-secret',
  'accesstokensecret', 'access_token_secret', 'ACCESS_TOKEN_SECRET', 'access-token-secret', 'refresh',
  'refreshsecret', 'refresh_secret', 'refresh-secret', 'refreshtokensecret', 'refresh_token_secret',
  'REFRESH_TOKEN_SECRET', 'refresh-token-secret', 'secretOrPrivateKey', 'secretOrKey', 'privatekey', 'privateKey',
  'private_key', 'private-key', 'private', 'public', 'publickey', 'signingkey', 'signingKey', 'signing_key',
  'signing-key', 'sign_key', 'signkey', 'hmac', 'hmacsecret', 'hmacSecret', 'hmac_secret', 'hmac-secret', 'hmackey',
  // Application, session and API secrets
  'key', 'Key', 'KEY', 'mykey', 'myKey', 'my_key', 'my-key', 'thekey', 'key1', 'key2', 'keys', 'auth', 'authsecret',
  'authSecret', 'auth_secret', 'AUTH_SECRET', 'auth-secret', 'authkey', 'auth_key', 'authentication',
  'authorization', 'session', 'sessionsecret', 'sessionSecret', 'session_secret', 'SESSION_SECRET',
  'session-secret', 'sessionkey', 'session_key', 'cookie', 'cookiesecret', 'cookie_secret', 'COOKIE_SECRET',
  'cookie-secret', 'app', 'appsecret', 'appSecret', 'app_secret', 'APP_SECRET', 'app-secret', 'appkey', 'app_key',
  'APP_KEY', 'application_secret', 'api', 'apisecret', 'apiSecret', 'api_secret', 'API_SECRET', 'api-secret',
  'apikey', 'apiKey', 'api_key', 'API_KEY', 'api-key', 'server_secret', 'serversecret', 'backend_secret',
  'client_secret', 'clientsecret', 'CLIENT_SECRET', 'encryption_key', 'encryptionkey',
  // Placeholders left in templates and .env.example files
  'changeme', 'changeMe', 'ChangeMe', 'CHANGEME', 'change_me', 'CHANGE_ME', 'change-me', 'changeit', 'changethis',
  'change_this', 'change-this', 'changethissecret', 'change-this-secret', 'change_this_secret',
  'change-in-production', 'change_this_in_production', 'secret-key-change-in-production', 'please-change-me',
  'replaceme', 'replace_me', 'replace-me', 'REPLACE_ME', 'replace-with-random-value', 'replace-this',
  'placeholder', 'todo', 'TODO', 'fixme', 'FIXME', 'default', 'Default', 'defaultsecret', 'default_secret',
  'default-secret', 'defaultkey', 'your_secret', 'your-secret', 'yoursecret', 'YourSecret', 'YOUR_SECRET',
  'your_secret_key', 'your-secret-key', 'yoursecretkey', 'YOUR_SECRET_KEY', 'your_jwt_secret', 'your-jwt-secret',
  'yourjwtsecret', 'YOUR_JWT_SECRET', 'your_secret_here', 'your-secret-here', 'secret_here', 'secret-here',
  'enter_your_secret', 'put-your-secret-here', 'insert_secret_here', 'your_api_key', 'xxxxxxxx', 'XXXXXXXX',
  // Development and test values
  'test', 'Test', 'TEST', 'test123', 'testing', 'testsecret', 'test_secret', 'test-secret', 'testkey', 'test_key',
  'test-key', 'unittest', 'dev', 'development', 'devsecret', 'dev_secret', 'dev-secret', 'devkey', 'dev-key',
  'local', 'localhost', 'local_secret', 'staging', 'debug', 'demo', 'sample', 'example', 'tutorial', 'dummy',
  'dummysecret', 'fake', 'fake-secret', 'mock', 'mocksecret', 'insecure', 'unsafe', 'foo', 'bar', 'baz', 'foobar',
  'hello', 'helloworld', 'hello_world', 'hello-world', 'HelloWorld',
  // Framework and product defaults and documentation values
  'keyboard cat', 'keyboard-cat', 'keyboardcat', 'cats', 'super-secret-jwt-token-with-at-least-32-characters-long',
  'reallyreallyreallyreallyverysafe', 'ThisTokenIsNotSoSecretChangeIt', 'ThisIsNotSoSecret', 'SomeRandomString',
  '09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7',
  'a secret with minimum length of 32 characters', 'my-32-character-ultra-secure-and-ultra-long-secret',
  'bezKoderSecretKey', 'javainuse', 'django-insecure', 'django-insecure-change-me', 'flask', 'flask-secret',
  'flask_secret_key', 'fastapi', 'django', 'rails', 'secret_key_base', 'SECRET_KEY_BASE', 'laravel', 'symfony',
  'spring', 'springboot', 'spring-boot', 'quarkus', 'micronaut', 'express', 'expressjs', 'node', 'nodejs', 'koa',
  'nestjs', 'nest', 'fastify', 'hapi', 'adonis', 'sails', 'loopback', 'strapi', 'nextauth', 'NEXTAUTH_SECRET',
  'next', 'nuxt', 'react', 'angular', 'vue', 'mean', 'mern', 'mernsecret', 'nodeauthsecret', 'node-auth-secret',
  'golang', 'gin', 'echo', 'fiber', 'java', 'dotnet', 'aspnet', 'aspnetcore', 'php', 'python', 'ruby', 'go',
  'firebase', 'supabase', 'hasura', 'postgrest', 'keycloak', 'auth0', 'okta', 'cognito',
  // Flask quickstart's example key (bytes, not UTF-8)
  Uint8Array.from([0x5f, 0x35, 0x23, 0x79, 0x32, 0x4c, 0x22, 0x46, 0x34, 0x51, 0x38, 0x7a, 0x0a, 0xec, 0x5d, 0x2f]),
  // Common passwords reused as secrets
  'password', 'Password', 'PASSWORD', 'password1', 'password123', 'Password1', 'Password123', 'passw0rd',
  'Passw0rd', 'p@ssw0rd', 'P@ssw0rd', 'p@ssword', 'pass', 'pass123', 'passwd', 'pwd', 'admin', 'Admin', 'admin123',
  'admin@123', 'Admin@123', 'administrator', 'root', 'root123', 'toor', 'guest', 'user', 'username', 'login',
  'letmein', 'welcome', 'welcome1', 'Welcome1', 'Welcome123', 'iloveyou', 'trustno1', 'monkey', 'dragon', 'master',
  'sunshine', 'princess', 'football', 'baseball', 'shadow', 'superman', 'batman', 'starwars', 'pokemon', 'qwerty1',
];
