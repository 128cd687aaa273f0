// One of the five services of the demo, chosen by ROLE, each started as its own process with
// `node --import tracewire/register service.mjs` and its own OTEL_SERVICE_NAME. Loopback only, in-memory data:
//   frontend      GET /api/users/:id -> api-gateway
//   api-gateway   GET /users/:id     -> auth-service GET /verify, then user-service GET /users/:id
//   auth-service  GET /verify        checks the session token
//   user-service  GET /users/:id     -> database POST /query; user 13 is locked (the request fails)
//   database      POST /query        an in-memory table; the query for user "slow" takes 400 ms
// Prints {"port":N} on stdout once listening.
import express from 'express';
import { trace } from '@opentelemetry/api';
import { withSpan } from 'tracewire';

const role = process.env.ROLE;
const app = express();

async function call(url, init) {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text() };
}

if (role === 'frontend') {
  app.get('/api/users/:id', async (req, res) => {
    const user = await call(`${process.env.GATEWAY_URL}/users/${req.params.id}`, { headers: { authorization: 'Bearer demo-session' } });
    res
      .status(user.status === 200 ? 200 : 502)
      .type('json')
      .send(user.body);
  });
} else if (role === 'api-gateway') {
  app.get('/users/:id', async (req, res) => {
    const auth = await call(`${process.env.AUTH_URL}/verify`, { headers: { authorization: req.headers.authorization ?? '' } });
    if (auth.status !== 200) return res.status(401).send(auth.body);
    const user = await call(`${process.env.USERS_URL}/users/${req.params.id}`);
    res.status(user.status).type('json').send(user.body);
  });
} else if (role === 'auth-service') {
  const sessions = new Map([['demo-session', { user: 'demo', scopes: ['users:read'] }]]);
  app.get('/verify', (req, res) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const session = withSpan('check session', { attributes: { 'app.session.found': sessions.has(token) } }, () => sessions.get(token));
    if (session) res.json(session);
    else res.status(401).send('no session');
  });
} else if (role === 'user-service') {
  app.get('/users/:id', async (req, res) => {
    try {
      const user = await withSpan('load user', { attributes: { 'app.user_id': req.params.id } }, async () => {
        const { body } = await call(`${process.env.DATABASE_URL}/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sql: 'SELECT id, name FROM users WHERE id = $1', params: [req.params.id] }),
        });
        const row = JSON.parse(body)[0];
        if (row?.locked) throw new Error(`user ${req.params.id} is locked`);
        return row;
      });
      if (user) res.json(user);
      else res.status(404).send('no such user');
    } catch (error) {
      res.status(500).send(error.message);
    }
  });
} else if (role === 'database') {
  const users = [
    { id: '1', name: 'Ada' },
    { id: '2', name: 'Grace' },
    { id: '13', name: 'Mallory', locked: true },
    { id: 'slow', name: 'Slowpoke' },
  ];
  app.post('/query', express.json(), async (req, res) => {
    const { sql, params } = req.body;
    const rows = await withSpan('SELECT users', { attributes: { 'db.system.name': 'in-memory', 'db.query.text': sql } }, async () => {
      if (params[0] === 'slow') await new Promise((r) => setTimeout(r, 400)); // a missing index, say
      return users.filter((u) => u.id === params[0]);
    });
    trace.getActiveSpan()?.setAttribute('app.rows', rows.length);
    res.json(rows);
  });
} else {
  throw new Error(`unknown ROLE ${role}`);
}

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
