// A VC API face for the Node peer: an issuer, a verifier and one exchange workflow over Digital Bazaar's stack,
// written from the VC API specification (w3c-ccg/vc-api, now VCALM) and sharing nothing with the Python suite's
// own reference service. Every signature, verification and JSON-LD step is the libraries'; the HTTP handling is
// ours and kept small.
//
//   POST /credentials/issue        {credential, options}            -> 201 {verifiableCredential}
//   POST /credentials/verify       {verifiableCredential, options}  -> 200 {verified, problemDetails}
//   POST /presentations/verify     {verifiablePresentation, options: {challenge, domain}}
//                                                                   -> 200 {verified, problemDetails}
//   POST /workflows/{w}/exchanges  {ttl}                            -> 204, Location: the exchange URL
//   POST /workflows/{w}/exchanges/{id}  {}                          -> {verifiablePresentationRequest} (DIDAuthentication)
//                                       {verifiablePresentation}    -> {verifiablePresentation} with the issued credential
//   GET  /workflows/{w}/exchanges/{id}/protocols                    -> {protocols: {vcapi}}
//
// Errors are problem details (RFC 9457): {type, title, status, detail}.

import {randomUUID} from 'node:crypto';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;
const DEFAULT_TTL_S = 900;
const MAX_TTL_S = 24 * 3600;
const MAX_EXCHANGES = 1000;
const ISSUE_OPTIONS = new Set(['credentialId']);     // the only issue option this issuer understands
const VERIFY_OPTIONS = new Set(['challenge', 'domain']);
const PROBLEMS = 'https://peers.ler-conformance.example/problems/';

class Problem extends Error {
  constructor(status, kind, title, detail) {
    super(detail);
    this.status = status;
    this.kind = kind;
    this.title = title;
  }
}

const bad = detail => new Problem(400, 'invalid-request', 'Invalid request', detail);

function send(response, status, value, headers = {}) {
  if(value === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(value);
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  response.writeHead(status, {'content-type': type, 'content-length': Buffer.byteLength(text), ...headers});
  response.end(text);
}

function depth(value) {
  let deepest = 0;
  const stack = [[value, 0]];
  while(stack.length) {
    const [node, level] = stack.pop();
    deepest = Math.max(deepest, level);
    if(deepest > MAX_DEPTH) {
      return deepest;
    }
    if(node && typeof node === 'object') {
      for(const child of Object.values(node)) {
        stack.push([child, level + 1]);
      }
    }
  }
  return deepest;
}

function readJsonObject(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let refused = false;
    request.on('data', chunk => {
      size += chunk.length;
      if(size > MAX_BODY_BYTES && !refused) {
        refused = true;
        reject(new Problem(413, 'too-large', 'Request too large', `at most ${MAX_BODY_BYTES} bytes are read`));
      }
      if(!refused) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => {
      if(refused) {
        return;
      }
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch(error) {
        reject(bad(`the body is not JSON: ${error.message}`));
        return;
      }
      if(!body || typeof body !== 'object' || Array.isArray(body)) {
        reject(bad('the body is not a JSON object'));
      } else if(depth(body) > MAX_DEPTH) {
        reject(bad(`the body nests deeper than ${MAX_DEPTH} levels`));
      } else {
        resolve(body);
      }
    });
    request.on('error', reject);
  });
}

const isObject = value => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

function optionsOf(body, known) {
  const options = body.options ?? {};
  if(!isObject(options)) {
    throw bad('options is not a JSON object');
  }
  const unknown = Object.keys(options).filter(name => !known.has(name));
  if(unknown.length) {
    throw new Problem(400, 'unknown-option', 'Unsupported option',
      `options ${unknown.join(', ')} are not understood by this service`);
  }
  return options;
}

function flatten(error, found = []) {
  if(!error) {
    return found;
  }
  if(Array.isArray(error)) {
    error.forEach(e => flatten(e, found));
    return found;
  }
  found.push(String(error.message ?? error));
  if(Array.isArray(error.errors)) {
    flatten(error.errors, found);
  }
  return found;
}

function verdict(result) {
  const verified = Boolean(result?.verified);
  const messages = flatten(result?.error);
  for(const inner of result?.credentialResults ?? []) {
    if(!inner.verified) {
      messages.push(...flatten(inner.error));
    }
  }
  const answer = {verified, checks: ['proof']};
  if(!verified) {
    answer.problemDetails = (messages.length ? messages : ['the proof does not verify']).map(detail => ({
      type: PROBLEMS + 'verification', title: 'Verification failed', detail
    }));
  }
  return answer;
}

function issuerIdOf(credential) {
  const issuer = credential.issuer;
  return typeof issuer === 'string' ? issuer : issuer?.id;
}

export async function createVcApi({issuerKey, documentLoader, verifySuites}) {
  const {publicKeyMultibase, secretKeyMultibase} = issuerKey;
  const did = `did:key:${publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.from({
    type: 'Multikey', id: `${did}#${publicKeyMultibase}`, controller: did, publicKeyMultibase, secretKeyMultibase
  });
  const exchanges = new Map();

  async function sign(credential) {
    const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022});
    return vc.issue({credential, suite, documentLoader});
  }

  async function issue(body) {
    const options = optionsOf(body, ISSUE_OPTIONS);
    const credential = body.credential;
    if(!isObject(credential)) {
      throw bad('credential is missing or not a JSON object');
    }
    if(credential.proof !== undefined) {
      throw bad('credential already carries a proof');
    }
    if(issuerIdOf(credential) !== did) {
      throw bad(`credential.issuer is ${JSON.stringify(issuerIdOf(credential) ?? null)}; this issuer signs only ` +
        `as ${did}`);
    }
    const unsigned = structuredClone(credential);
    if(typeof options.credentialId === 'string') {
      unsigned.id = options.credentialId;
    }
    try {
      return [201, {verifiableCredential: await sign(unsigned)}];
    } catch(error) {
      // the key is ours and fixed: what fails here is the credential the client sent
      throw bad(`the credential cannot be issued: ${flatten(error).join('; ')}`);
    }
  }

  async function verifyCredential(body) {
    optionsOf(body, VERIFY_OPTIONS);
    const credential = body.verifiableCredential;
    if(!isObject(credential)) {
      throw bad('verifiableCredential is missing or not a JSON object');
    }
    const result = await vc.verifyCredential({credential, suite: verifySuites, documentLoader})
      .catch(error => ({verified: false, error}));
    return [200, verdict(result)];
  }

  async function verifyPresentation(body) {
    const options = optionsOf(body, VERIFY_OPTIONS);
    const presentation = body.verifiablePresentation;
    if(!isObject(presentation)) {
      throw bad('verifiablePresentation is missing or not a JSON object');
    }
    if(typeof options.challenge !== 'string') {
      throw bad('options.challenge is required to verify a presentation');
    }
    const result = await vc.verify({
      presentation, challenge: options.challenge, domain: options.domain, suite: verifySuites, documentLoader
    }).catch(error => ({verified: false, error}));
    return [200, verdict(result)];
  }

  function createExchange(body, workflow, origin) {
    const requested = body.ttl ?? DEFAULT_TTL_S;
    if(typeof requested !== 'number' || !(requested > 0)) {
      throw bad('ttl is not a positive number of seconds');
    }
    for(const [id, exchange] of exchanges) {          // forget expired exchanges before counting
      if(exchange.expires < Date.now()) {
        exchanges.delete(id);
      }
    }
    if(exchanges.size >= MAX_EXCHANGES) {
      throw new Problem(503, 'busy', 'Too many exchanges', 'try again later');
    }
    const id = randomUUID();
    exchanges.set(id, {
      workflow, state: 'pending', challenge: randomUUID(), domain: new URL(origin).host,
      expires: Date.now() + Math.min(requested, MAX_TTL_S) * 1000
    });
    return [204, undefined, {location: `${origin}/workflows/${workflow}/exchanges/${id}`}];
  }

  function liveExchange(workflow, id) {
    const exchange = exchanges.get(id);
    if(!exchange || exchange.workflow !== workflow) {
      throw new Problem(404, 'not-found', 'No such exchange', `no exchange ${id} in workflow ${workflow}`);
    }
    if(exchange.expires < Date.now()) {
      throw new Problem(410, 'expired', 'Exchange expired', 'the exchange is past its time to live');
    }
    if(exchange.state === 'complete') {
      throw new Problem(409, 'complete', 'Exchange complete', 'the exchange has already been completed');
    }
    return exchange;
  }

  async function participate(body, workflow, id) {
    const exchange = liveExchange(workflow, id);
    if(!('verifiablePresentation' in body)) {
      exchange.state = 'active';
      return [200, {verifiablePresentationRequest: {
        query: [{type: 'DIDAuthentication', acceptedMethods: [{method: 'key'}],
          acceptedCryptosuites: [{cryptosuite: 'eddsa-rdfc-2022'}]}],
        challenge: exchange.challenge, domain: exchange.domain
      }}];
    }
    const presentation = body.verifiablePresentation;
    if(!isObject(presentation)) {
      throw bad('verifiablePresentation is not a JSON object');
    }
    if(exchange.state !== 'active') {
      throw bad('the exchange has not asked for a presentation yet: send {} first');
    }
    const result = await vc.verify({
      presentation, challenge: exchange.challenge, domain: exchange.domain, suite: verifySuites, documentLoader
    }).catch(error => ({verified: false, error}));
    if(!result.verified) {
      throw new Problem(400, 'presentation-rejected', 'Presentation rejected',
        verdict(result).problemDetails.map(p => p.detail).join('; '));
    }
    // DID authentication: the holder is whoever controls the key that signed the presentation
    const proofs = [presentation.proof].flat();
    const signer = String(proofs[0]?.verificationMethod ?? '').split('#')[0];
    if(presentation.holder !== undefined && (typeof presentation.holder === 'string' ? presentation.holder :
      presentation.holder?.id) !== signer) {
      throw new Problem(400, 'presentation-rejected', 'Presentation rejected',
        'the presentation is not signed by its holder');
    }
    exchange.state = 'complete';
    const credential = await sign({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: `urn:uuid:${randomUUID()}`,
      type: ['VerifiableCredential'],
      name: 'Node peer exchange credential',
      issuer: did,
      validFrom: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      credentialSubject: {id: signer}
    });
    return [200, {verifiablePresentation: {
      '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'],
      verifiableCredential: [credential]
    }}];
  }

  function protocols(workflow, id, origin) {
    const exchange = exchanges.get(id);
    if(!exchange || exchange.workflow !== workflow) {
      throw new Problem(404, 'not-found', 'No such exchange', `no exchange ${id} in workflow ${workflow}`);
    }
    return [200, {protocols: {vcapi: `${origin}/workflows/${workflow}/exchanges/${id}`}}];
  }

  // Returns false when the path is not one of the VC API's, so the server's other routes can answer it.
  return async function handle(request, response) {
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    const path = new URL(request.url, origin).pathname;
    const method = request.method;
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    let run;
    if(method === 'POST' && path === '/credentials/issue') {
      run = async () => issue(await readJsonObject(request));
    } else if(method === 'POST' && path === '/credentials/verify') {
      run = async () => verifyCredential(await readJsonObject(request));
    } else if(method === 'POST' && path === '/presentations/verify') {
      run = async () => verifyPresentation(await readJsonObject(request));
    } else if(segments[0] === 'workflows' && segments[2] === 'exchanges') {
      const [, workflow, , id, tail] = segments;
      if(method === 'POST' && segments.length === 3) {
        run = async () => createExchange(await readJsonObject(request), workflow, origin);
      } else if(method === 'POST' && segments.length === 4) {
        run = async () => participate(await readJsonObject(request), workflow, id);
      } else if(method === 'GET' && segments.length === 5 && tail === 'protocols') {
        run = async () => protocols(workflow, id, origin);
      } else {
        run = async () => {
          throw new Problem(404, 'not-found', 'Not found', `${method} ${path} is not served here`);
        };
      }
    } else {
      return false;
    }
    try {
      const [status, value, headers] = await run();
      send(response, status, value, headers);
    } catch(error) {
      if(error instanceof Problem) {
        send(response, error.status, {type: PROBLEMS + error.kind, title: error.title, status: error.status,
          detail: error.message});
      } else {
        send(response, 500, {type: PROBLEMS + 'internal', title: 'Internal error', status: 500,
          detail: flatten(error).join('; ')});
      }
    }
    return true;
  };
}
