'use strict'
// The apex test peer's store (test/support/apex-peer/server.cjs): an in-memory replacement for
// activitypub-express's MongoDB store (store/index.js),
// implementing the IApexStore interface (store/interface.js) with plain Maps/arrays.
// Emulates the Mongo semantics apex relies on: array-contains matching, projections
// that hide _meta/_id, duplicate-id inserts returning false, $set/$unset updates,
// $addToSet/$pull on _meta arrays, _id ordering for collection paging.
const IApexStore = require('activitypub-express/store/interface')

const clone = (o) => (o == null ? o : structuredClone(o))
const has = (value, wanted) => Array.isArray(value) ? value.includes(wanted) : value === wanted
function strip (doc, includeMeta) {
  if (!doc) return null
  const out = clone(doc)
  delete out._id
  if (includeMeta !== true) delete out._meta
  return out
}

let counter = 0
function nextId () {
  // 24 hex chars, time-ordered, like a Mongo ObjectId
  const t = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0')
  return t + (++counter).toString(16).padStart(16, '0')
}

class MemoryApexStore extends IApexStore {
  constructor (contexts = {}) {
    super()
    this.objects = new Map() // id -> doc
    this.streams = [] // docs with _id, in insertion order
    this.contexts = new Map(Object.entries(contexts)) // url -> document
    this.queue = []
  }

  async setup (initialUser) {
    if (initialUser) this.objects.set(initialUser.id, clone(initialUser))
    return initialUser
  }

  // objects
  async getObject (id, includeMeta) { return strip(this.objects.get(id), includeMeta) }
  async saveObject (object) {
    if (this.objects.has(object.id)) return false
    this.objects.set(object.id, clone(object))
    return true
  }

  async updateObject (obj, actorId, fullReplace) {
    const existing = this.objects.get(obj.id)
    if (!existing) return undefined
    let updated
    if (fullReplace) {
      updated = clone(obj)
    } else {
      updated = applySetUnset(clone(existing), obj)
    }
    this.objects.set(obj.id, updated)
    this.updateObjectCopies(updated)
    return fullReplace ? clone(updated) : strip(updated, false)
  }

  // streams
  findStream (pred) { return this.streams.find(pred) }
  async getActivity (id, includeMeta) { return strip(this.findStream(a => a.id === id), includeMeta) }
  async findActivityByCollectionAndObjectId (collection, objectId, includeMeta) {
    return strip(this.findStream(a => has(a._meta?.collection, collection) && has(a.object, objectId)), includeMeta)
  }

  async findActivityByCollectionAndActorId (collection, actorId, includeMeta) {
    return strip(this.findStream(a => has(a._meta?.collection, collection) && has(a.actor, actorId)), includeMeta)
  }

  async getStream (collectionId, limit, after, blockList, query) {
    if (query) throw new Error('MemoryApexStore: aggregation query stages are not supported')
    let items = this.streams.filter(a => has(a._meta?.collection, collectionId))
    if (after) items = items.filter(a => a._id < after)
    if (blockList?.length) items = items.filter(a => !(a.actor || []).some(id => blockList.includes(id)))
    items = items.slice().sort((a, b) => (a._id < b._id ? 1 : -1))
    if (limit) items = items.slice(0, limit)
    return items.map(a => {
      const out = clone(a)
      delete out._meta
      out.actor = (a.actor || []).map(id => this.objects.get(id)).filter(Boolean).map(o => strip(o, false))
      if (Array.isArray(out.object)) {
        out.object = out.object.map(o => { if (o && typeof o === 'object') { delete o._id; delete o._meta } return o })
      }
      return out
    }).filter(a => a.actor.length)
  }

  async getStreamCount (collectionId) { return this.streams.filter(a => has(a._meta?.collection, collectionId)).length }
  async getUserCount () {
    return [...this.objects.values()].filter(o => o.type === 'Person' && o._meta?.privateKey).length
  }

  async saveActivity (activity) {
    if (this.streams.some(a => a.id === activity.id)) return undefined
    this.streams.push({ ...clone(activity), _id: nextId() })
    return true
  }

  async removeActivity (activity, actorId) {
    const before = this.streams.length
    this.streams = this.streams.filter(a => !(a.id === activity.id && has(a.actor, actorId)))
    return { deletedCount: before - this.streams.length }
  }

  async updateActivity (activity, fullReplace) {
    const i = this.streams.findIndex(a => a.id === activity.id)
    if (i < 0) return clone(activity)
    const current = this.streams[i]
    const updated = fullReplace
      ? { ...clone(activity), _id: current._id }
      : applySetUnset(clone(current), activity)
    this.streams[i] = updated
    this.updateObjectCopies(updated)
    return strip(updated, true)
  }

  async updateActivityMeta (activity, key, value, remove) {
    const doc = this.findStream(a => a.id === activity.id)
    if (!doc) throw new Error('Error updating activity meta: not found')
    doc._meta = doc._meta || {}
    const list = doc._meta[key] || []
    if (remove) doc._meta[key] = list.filter(v => JSON.stringify(v) !== JSON.stringify(value))
    else if (!list.some(v => JSON.stringify(v) === JSON.stringify(value))) doc._meta[key] = [...list, value]
    return strip(doc, true)
  }

  updateObjectCopies (object) {
    for (const a of this.streams) {
      if (!Array.isArray(a.object)) continue
      a.object = a.object.map(o => (o && typeof o === 'object' && o.id === object.id) ? clone(object) : o)
    }
    if (object._meta?.privateKey) {
      for (const d of this.queue) if (d.actorId === object.id) d.signingKey = object._meta.privateKey
    }
  }

  // contexts (JSON-LD document cache; pre-seeded so nothing is fetched from the internet)
  async getContext (documentUrl) {
    const document = this.contexts.get(documentUrl)
    return document ? { contextUrl: null, documentUrl, document: clone(document) } : null
  }

  async saveContext ({ documentUrl, document }) {
    this.contexts.set(documentUrl, typeof document === 'string' ? JSON.parse(document) : document)
  }

  generateId () { return nextId() }

  // delivery queue
  async deliveryEnqueue (actorId, body, addresses, signingKey) {
    if (!addresses || !addresses.length) return
    if (!Array.isArray(addresses)) addresses = [addresses]
    for (const address of addresses) this.queue.push({ address, actorId, signingKey, body, attempt: 0, after: new Date(), _id: nextId() })
    return true
  }

  async deliveryDequeue () {
    this.queue.sort((a, b) => a.after - b.after || (a._id < b._id ? -1 : 1))
    const now = new Date()
    const i = this.queue.findIndex(d => d.after <= now)
    if (i >= 0) {
      const [d] = this.queue.splice(i, 1)
      const { _id, ...rest } = d
      return rest
    }
    return this.queue.length ? { waitUntil: this.queue[0].after } : null
  }

  async deliveryRequeue (delivery) {
    delivery.after = new Date(delivery.after.getTime() + Math.pow(10, delivery.attempt++))
    this.queue.push({ ...delivery, _id: nextId() })
    return true
  }
}

function applySetUnset (doc, patch) {
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'id') continue
    if (value === null) delete doc[key]
    else doc[key] = clone(value)
  }
  return doc
}

module.exports = MemoryApexStore
