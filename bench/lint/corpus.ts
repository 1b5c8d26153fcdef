/**
 * A generated mixed-language corpus for bench/lint: web-app files in every language the lint
 * reads, most with some cookie/session/JWT code among ordinary business logic, some without.
 * Deterministic (seeded) so runs compare.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lcg as rng } from '../../test/support/seeded';

type Gen = (r: () => number, i: number) => string;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const jsFiller: Gen = (r, i) => `
export function computeTotals${i}(items, taxRate = 0.2) {
  let total = 0;
  for (const item of items) {
    if (!item || typeof item.price !== 'number') continue;
    const discounted = item.price * (1 - (item.discount ?? 0));
    total += discounted * (item.quantity ?? 1);
  }
  const tax = Math.round(total * taxRate * 100) / 100;
  return { total, tax, grand: total + tax, count: items.length, id: ${Math.floor(r() * 1e6)} };
}

export async function loadUser${i}(db, id) {
  const rows = await db.query('SELECT id, name, email FROM users WHERE id = $1', [id]);
  if (rows.length === 0) throw new Error('not found: ' + id);
  return { ...rows[0], loadedAt: new Date().toISOString() };
}
`;

const jsCookie: Gen = (r, i) => pick(r, [
  `app.get('/login${i}', (req, res) => {\n  res.cookie('sid', req.sessionID, { httpOnly: true, secure: ${r() > 0.5}, sameSite: 'lax' });\n  res.json({ ok: true });\n});\n`,
  `const opts${i} = { httpOnly: true, sameSite: 'strict', maxAge: 1000 * 60 * 60 * ${Math.floor(r() * 2000)} };\napp.post('/auth${i}', (req, res) => {\n  res.cookie('auth_token', token, opts${i});\n  res.sendStatus(204);\n});\n`,
  `app.use(session({\n  name: 'app${i}.sid',\n  secret: ${r() > 0.5 ? "'keyboard cat'" : 'process.env.SESSION_SECRET'},\n  resave: false,\n  cookie: { secure: process.env.NODE_ENV === 'production', sameSite: 'lax' },\n}));\n`,
  `router.get('/token${i}', (req, res) => {\n  const t = jwt.sign({ sub: req.user.id }, ${r() > 0.5 ? "'dev-secret'" : 'process.env.JWT_SECRET'}, { expiresIn: '15m' });\n  res.setHeader('Set-Cookie', \`jwt=\${t}; HttpOnly; Path=/; SameSite=Strict\`);\n  res.end();\n});\n`,
]);

const pyFiller: Gen = (r, i) => `

def compute_totals_${i}(items, tax_rate=0.2):
    total = 0
    for item in items:
        if item is None or not isinstance(item.get("price"), (int, float)):
            continue
        total += item["price"] * (1 - item.get("discount", 0)) * item.get("quantity", 1)
    tax = round(total * tax_rate, 2)
    return {"total": total, "tax": tax, "grand": total + tax, "id": ${Math.floor(r() * 1e6)}}


class Repository${i}:
    def __init__(self, db):
        self.db = db

    def find(self, user_id):
        rows = self.db.execute("SELECT id, name FROM users WHERE id = %s", (user_id,))
        return rows[0] if rows else None
`;

const pyCookie: Gen = (r, i) => pick(r, [
  `\n\n@app.route("/login${i}")\ndef login_${i}():\n    resp = make_response("ok")\n    resp.set_cookie("session_token", "v", httponly=True, secure=${r() > 0.5 ? 'True' : 'False'}, samesite="Lax")\n    return resp\n`,
  `\n\ndef token_${i}(user):\n    return jwt.encode({"sub": user.id}, ${r() > 0.5 ? '"hardcoded"' : 'os.environ["JWT_SECRET"]'}, algorithm="HS256")\n`,
]);

const phpFile: Gen = (r, i) => `<?php
function total_${i}(array $items): float {
    $total = 0.0;
    foreach ($items as $item) {
        $total += ($item['price'] ?? 0) * ($item['quantity'] ?? 1);
    }
    return round($total * 1.2, 2);
}
${r() > 0.3 ? `setcookie('remember_${i}', $token, ['expires' => time() + 3600, 'secure' => ${r() > 0.5 ? 'true' : 'false'}, 'httponly' => true, 'samesite' => 'Lax']);` : '$x = strtoupper("hello");'}
function render_${i}(string $name): string {
    return '<h1>' . htmlspecialchars($name, ENT_QUOTES) . '</h1>';
}
`;

const javaFile: Gen = (r, i) => `package demo;

public class Service${i} {
    private final Repository repo;

    public Service${i}(Repository repo) {
        this.repo = repo;
    }

    public double total(java.util.List<Item> items) {
        double total = 0;
        for (Item item : items) {
            total += item.price() * item.quantity();
        }
        return Math.round(total * 120) / 100.0;
    }
${r() > 0.4 ? `
    public void login(jakarta.servlet.http.HttpServletResponse response, String id) {
        jakarta.servlet.http.Cookie c = new jakarta.servlet.http.Cookie("SESSION_${i}", id);
        c.setHttpOnly(true);
        c.setSecure(${r() > 0.5});
        response.addCookie(c);
    }
` : ''}}
`;

const goFile: Gen = (r, i) => `package handlers

import (
	"net/http"
	"strconv"
)

func Total${i}(prices []float64) float64 {
	total := 0.0
	for _, p := range prices {
		total += p
	}
	return total * 1.2
}

func Handler${i}(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.URL.Query().Get("id"))
${r() > 0.4 ? `	http.SetCookie(w, &http.Cookie{Name: "session", Value: strconv.Itoa(id), HttpOnly: true, Secure: ${r() > 0.5}, SameSite: http.SameSiteLaxMode})\n` : ''}	w.WriteHeader(http.StatusNoContent)
}
`;

const rubyFile: Gen = (r, i) => `class Orders${i}Controller < ApplicationController
  def index
    @orders = Order.where(user_id: current_user.id).order(created_at: :desc).limit(50)
    render json: @orders
  end

  def total
    items = params.require(:items)
    render json: { total: items.sum { |i| i[:price].to_f * i[:quantity].to_i } }
  end
${r() > 0.4 ? `
  def remember
    cookies[:remember_token] = { value: SecureRandom.hex(32), httponly: true, secure: ${r() > 0.5} }
  end
` : ''}end
`;

const csFile: Gen = (r, i) => `namespace Demo;

public class Orders${i}
{
    public decimal Total(IEnumerable<Item> items)
    {
        decimal total = 0;
        foreach (var item in items) total += item.Price * item.Quantity;
        return decimal.Round(total * 1.2m, 2);
    }
${r() > 0.4 ? `
    public void Login(HttpResponse response)
    {
        response.Cookies.Append("session_${i}", "v", new CookieOptions { HttpOnly = true, Secure = ${r() > 0.5 ? 'true' : 'false'}, SameSite = SameSiteMode.Lax });
    }
` : ''}}
`;

/** Writes the corpus and returns its files, total lines and the 5,000-line file. */
export function generateCorpus(dir: string, minLines = 100_000): { files: string[]; lines: number; bigFile: string; jsFiles: string[] } {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const r = rng(20261122);
  const files: string[] = [];
  const jsFiles: string[] = [];
  let lines = 0;
  const write = (rel: string, text: string) => {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    files.push(p);
    lines += text.split('\n').length;
    return p;
  };
  let i = 0;
  while (lines < minLines) {
    const kind = i % 10;
    if (kind < 4) {
      let body = "const express = require('express');\nconst session = require('express-session');\nconst jwt = require('jsonwebtoken');\nconst app = express();\nconst router = express.Router();\n";
      for (let k = 0; k < 6; k++) body += jsFiller(r, i * 10 + k) + (r() > 0.45 ? jsCookie(r, i * 10 + k) : '');
      jsFiles.push(write(`js/app${i}.js`, body));
    } else if (kind === 4) {
      let body = 'import os\nimport jwt\nfrom flask import Flask, make_response\n\napp = Flask(__name__)\n';
      for (let k = 0; k < 5; k++) body += pyFiller(r, i * 10 + k) + (r() > 0.5 ? pyCookie(r, i * 10 + k) : '');
      write(`py/views${i}.py`, body);
    } else if (kind === 5) write(`php/page${i}.php`, Array.from({ length: 6 }, (_, k) => phpFile(r, i * 10 + k).replace(/^<\?php\n/, k ? '' : '<?php\n')).join('\n'));
    else if (kind === 6) write(`java/Service${i}.java`, javaFile(r, i));
    else if (kind === 7) write(`go/handler${i}.go`, goFile(r, i));
    else if (kind === 8) write(`rb/orders${i}_controller.rb`, rubyFile(r, i));
    else write(`cs/Orders${i}.cs`, csFile(r, i));
    i++;
  }
  write('config/application.properties', 'server.servlet.session.cookie.secure=false\nserver.servlet.session.timeout=30m\n');
  write('config/application.yml', 'server:\n  servlet:\n    session:\n      cookie:\n        http-only: true\n');
  let big = "const express = require('express');\nconst session = require('express-session');\nconst jwt = require('jsonwebtoken');\nconst app = express();\nconst router = express.Router();\n";
  let k = 0;
  for (;;) {
    const next = big + jsFiller(r, 100000 + k) + (k % 2 === 0 ? jsCookie(r, 100000 + k) : '');
    if (next.split('\n').length > 5000) break;
    big = next;
    k++;
  }
  const bigLines = big.split('\n');
  while (bigLines.length < 5000) bigLines.push('// end of generated routes');
  const bigFile = path.join(dir, 'big', 'server.js');
  fs.mkdirSync(path.dirname(bigFile), { recursive: true });
  fs.writeFileSync(bigFile, bigLines.join('\n'));
  return { files, lines, bigFile, jsFiles };
}

/**
 * A one-line minified bundle of about `mb` MB dense with session()/res.cookie calls (half its
 * statements set a cookie), as issue #11 item 16 reported it: a scan of this file was quadratic.
 */
export function minifiedBundle(mb: number): { text: string; statements: number } {
  const calls = [
    (i: number) => `app.use(session({secret:"s${i}",cookie:{secure:false}}))`,
    (i: number) => `res.cookie("sid${i}",v${i},{httpOnly:false})`,
    (i: number) => `function f${i}(a,b){return a+b*${i}}`,
    (i: number) => `var x${i}={a:${i},b:"str${i}",c:[1,2,3]}`,
  ];
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < mb * 1e6 - 100; i++) {
    parts.push(calls[i % calls.length](i));
    length += parts[parts.length - 1].length + 1;
  }
  return { text: `${parts.join(';')};\n`, statements: parts.length };
}
