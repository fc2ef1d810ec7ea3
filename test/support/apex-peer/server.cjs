'use strict'
// An ActivityPub server that is not Skein's and not Fedify's: activitypub-express (apex) with its
// own signature and JSON-LD code, run as a child process by test/support/apex-peer.ts, serving
// HTTPS on a loopback address. Its store is in memory (memory-store.cjs, in place of MongoDB).
// Usage: node server.cjs HOST ADDRESS CERT KEY CA HOSTS_JSON CONTEXTS_FILE
//   HOSTS_JSON: {"skein.test":"127.0.0.40", ...}: the only names it may reach, and where.
//   CONTEXTS_FILE: JSON-LD context documents by URL; apex never fetches a context.
// Prints "listening" once it serves; APEX_PEER_DEBUG=1 logs what it receives and sends.
const fs = require('fs')
const https = require('https')
const tls = require('tls')
const express = require('express')
const ActivitypubExpress = require('activitypub-express')
const MemoryApexStore = require('./memory-store.cjs')

const [host, address, certFile, keyFile, caFile, hostsJson, contextsFile] = process.argv.slice(2)
const debug = process.env.APEX_PEER_DEBUG ? (...a) => console.log(...a) : () => {}
const hosts = { ...JSON.parse(hostsJson || '{}'), [host]: address }
const ca = [...tls.rootCertificates, fs.readFileSync(caFile, 'utf8')]

// Outgoing requests (the `request` library uses https.globalAgent): test CA + name resolution
// restricted to the test hosts, so nothing ever leaves loopback.
https.globalAgent = new https.Agent({
  ca,
  keepAlive: false,
  lookup (hostname, options, cb) {
    const addr = hosts[hostname]
    if (!addr) return cb(Object.assign(new Error(`unknown test host ${hostname}`), { code: 'ENOTFOUND' }))
    if (options && options.all) return cb(null, [{ address: addr, family: 4 }])
    cb(null, addr, 4)
  }
})

const contexts = JSON.parse(fs.readFileSync(contextsFile, 'utf8'))
const routes = {
  actor: '/u/:actor',
  object: '/o/:id',
  activity: '/s/:id',
  inbox: '/u/:actor/inbox',
  outbox: '/u/:actor/outbox',
  followers: '/u/:actor/followers',
  following: '/u/:actor/following',
  liked: '/u/:actor/liked',
  collections: '/u/:actor/c/:id',
  blocked: '/u/:actor/blocked',
  rejections: '/u/:actor/rejections',
  rejected: '/u/:actor/rejected',
  shares: '/s/:id/shares',
  likes: '/s/:id/likes'
}
const store = new MemoryApexStore()
const apex = ActivitypubExpress({
  name: 'apex-peer',
  version: '1.0.0',
  baseUrl: `https://${host}`,
  actorParam: 'actor',
  objectParam: 'id',
  activityParam: 'id',
  routes,
  store,
  logger: { info: (...a) => debug('[info]', ...a), warn: (...a) => debug('[warn]', ...a), error: (...a) => console.error('[error]', ...a) }
})
// JSON-LD contexts: only from the preloaded set, never from the network.
apex.jsonldContextLoader = async (url) => {
  const document = contexts[url]
  if (!document) console.error('[context] not preloaded:', url)
  if (!document) throw new Error(`context not preloaded: ${url}`)
  return { contextUrl: null, documentUrl: url, document }
}

const app = express()
app.set('env', 'production-like') // anything but 'development': unsigned inbox POSTs are refused
const received = []
app.use((req, res, next) => { res.on('finish', () => { if (req.method === 'POST') debug('[http]', req.method, req.url, res.statusCode, req.get('signature') ? 'sig:' + req.get('signature').replace(/signature="[^"]*"/, '') : '') }); next() })
app.use(express.json({ type: apex.consts.jsonldTypes }), apex)
// test control: X-Test-User makes the outbox POST authorized (C2S) as that local user
app.use((req, res, next) => {
  const user = req.get('x-test-user')
  if (user) req.user = { username: user }
  next()
})
// apex only accepts Like/Announce whose object is an *activity* (its own data model); Mastodon-style
// servers like/boost the Note. For those, verify the signature with apex's own middleware, record, 200.
const v = apex.net.validators
const s = apex.net.security
const recordOnly = (req, res, next) => {
  const type = String(req.body?.type || '').toLowerCase()
  if (!['like', 'announce'].includes(type)) return next()
  const chain = [v.jsonld, v.targetActorWithMeta, s.verifySignature, v.actor, (req2, res2) => {
    const l = res.locals.apex
    if (!l.actor || !l.target) return res.sendStatus(l.target ? 403 : 404)
    received.push({ recipient: l.target.id, actor: l.actor.id, activity: JSON.parse(apex.stringifyPublicJSONLD(req.body)), object: null })
    debug('[inbox-record]', l.target.id, '<-', req.body.type, req.body.id)
    res.sendStatus(200)
  }]
  let i = 0
  const step = (err) => { if (err) return next(err); const mw = chain[i++]; if (mw) mw(req, res, step) }
  step()
}
app.route(routes.inbox).get(apex.net.inbox.get).post(recordOnly, apex.net.inbox.post)
// send any activity as a local actor, bypassing apex's C2S validation (which rejects Like/Announce of Notes)
app.post('/test/send/:actor', async (req, res, next) => {
  try {
    const actor = await store.getObject(apex.utils.usernameToIRI(req.params.actor), true)
    const { type, to, ...etc } = req.body
    const activity = await apex.buildActivity(type, actor.id, to, etc)
    await apex.addToOutbox(actor, activity)
    res.status(201).json({ id: activity.id })
  } catch (e) { next(e) }
})
app.route(routes.outbox).get(apex.net.outbox.get).post(apex.net.outbox.post)
app.get(routes.actor, apex.net.actor.get)
app.get(routes.followers, apex.net.followers.get)
app.get(routes.following, apex.net.following.get)
app.get(routes.liked, apex.net.liked.get)
app.get(routes.object, apex.net.object.get)
app.get(routes.activity, apex.net.activityStream.get)
app.get(routes.shares, apex.net.shares.get)
app.get(routes.likes, apex.net.likes.get)
app.get('/.well-known/webfinger', apex.net.webfinger.get)
app.get('/.well-known/nodeinfo', apex.net.nodeInfoLocation.get)
app.get('/nodeinfo/:version', apex.net.nodeInfo.get)
app.get('/test/received', (req, res) => res.json(received))
app.post('/test/actors/:name', async (req, res) => {
  const actor = await apex.createActor(req.params.name, req.params.name, 'apex test actor')
  await store.saveObject(actor)
  res.json({ id: actor.id })
})

app.on('apex-inbox', async ({ actor, activity, recipient, object }) => {
  received.push({ recipient: recipient.id, actor: actor.id, activity: apex.stringifyPublicJSONLD ? JSON.parse(apex.stringifyPublicJSONLD(activity)) : activity, object })
  debug('[inbox]', recipient.id, '<-', activity.type, activity.id)
  if (activity.type === 'Follow') {
    try {
      const accept = await apex.buildActivity('Accept', recipient.id, actor.id, { object: activity.id })
      const { postTask } = await apex.acceptFollow(recipient, activity)
      await apex.addToOutbox(recipient, accept)
      if (process.env.PUBLISH_FOLLOWERS_UPDATE) await postTask()
    } catch (e) { console.error('[error] accept', e) }
  }
})
app.on('apex-outbox', ({ activity }) => debug('[outbox]', activity.type, activity.id))

https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, app)
  .listen(443, address, () => console.log('listening'))
