// The Node peer: Digital Bazaar's JavaScript VC stack behind a loopback HTTP server, so the Python suite can
// cross-check its Data Integrity proofs against an implementation it shares no code with.
//
//   node server.mjs --contexts contexts.json
//
// contexts.json maps each JSON-LD context URL to an absolute file path (the suite writes it from its pinned
// artifact store). The document loader serves those files and did:key URLs, nothing else: any other URL is an
// error, so a verification can never reach the network. The first line on stdout is {"port": N}.
//
//   GET  /health  -> {ok: true, versions}
//   POST /verify  {credential | presentation, options: {purpose, challenge, domain, now}}
//                 -> {verified, errors: [message],
//                     proofs: [{id, type, cryptosuite, proofPurpose, proofValue, verified, error}]}
//   POST /sign    {credential | presentation, cryptosuite, key: {publicKeyMultibase, secretKeyMultibase},
//                  options: {purpose, created, challenge, domain, proofId}} -> the signed document
//   POST /canonize {document, hash: SHA-256 | SHA-384} -> {nquads}
//
// With --issuer-key key.json ({publicKeyMultibase, secretKeyMultibase}, an Ed25519 multikey) it also serves a VC API
// issuer, verifier and exchange workflow (vcapi.mjs) that signs as did:key:<publicKeyMultibase>.

import {readFileSync} from 'node:fs';
import http from 'node:http';

import * as vc from '@digitalbazaar/vc';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';

import {createVcApi} from './vcapi.mjs';

const {AuthenticationProofPurpose, ControllerProofPurpose} = jsigs.purposes;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

// The versions actually installed (not the ranges asked for), so a report can name what it cross-checked against.
const VERSIONS = Object.fromEntries([
  '@digitalbazaar/vc', '@digitalbazaar/data-integrity', '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
  '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite', '@digitalbazaar/ed25519-multikey', '@digitalbazaar/ecdsa-multikey',
  '@digitalbazaar/ed25519-signature-2020', '@digitalbazaar/ed25519-verification-key-2020',
  '@digitalbazaar/did-method-key', 'jsonld-signatures', 'jsonld',
  'rdf-canonize', '@digitalbazaar/oid4-client'
].map(name => [name, installedVersion(name)]).concat([['node', process.versions.node]]));

// Read from node_modules directly: several of these packages do not export their package.json.
function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return 'not found';
  }
}

function parseArguments(argv) {
  const at = argv.indexOf('--contexts');
  if(at < 0 || !argv[at + 1]) {
    throw new Error('usage: node server.mjs --contexts <file mapping context URL to absolute path>');
  }
  const keyAt = argv.indexOf('--issuer-key');
  return {contextsFile: argv[at + 1], issuerKeyFile: keyAt < 0 ? null : argv[keyAt + 1]};
}

// Every context is read once at start-up: a missing file fails the start, not some later verification.
function loadContexts(contextsFile) {
  const mapping = JSON.parse(readFileSync(contextsFile, 'utf8'));
  const contexts = new Map();
  for(const [url, path] of Object.entries(mapping)) {
    contexts.set(url, JSON.parse(readFileSync(path, 'utf8')));
  }
  return contexts;
}

function makeDocumentLoader(contexts) {
  const resolver = didKey.driver();
  resolver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  resolver.use({multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from});
  resolver.use({multibaseMultikeyHeader: 'z82L', fromMultibase: EcdsaMultikey.from});
  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await resolver.get({url})};
    }
    throw new Error(`the Node peer loads only the given contexts and did:key URLs offline; refused ${url}`);
  };
}

const VERIFY_SUITES = [
  new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
  new DataIntegrityProof({cryptosuite: ecdsaRdfc2019}),
  new Ed25519Signature2020()
];

// Errors come back as Error objects, arrays of them, or wrappers with `.errors`; the test wants flat messages.
function messages(error, found = []) {
  if(!error) {
    return found;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, found));
    return found;
  }
  found.push(String(error.message ?? error));
  if(Array.isArray(error.errors)) {
    messages(error.errors, found);
  }
  // jsonld wraps a document loader's refusal; the cause says which URL and why
  const cause = error.details?.cause ?? error.cause;
  if(cause) {
    messages(cause, found);
  }
  return found;
}

function proofResults(result) {
  return (result?.results ?? []).map(r => ({
    id: r.proof?.id ?? null,
    type: r.proof?.type ?? null,
    cryptosuite: r.proof?.cryptosuite ?? null,
    proofPurpose: r.proof?.proofPurpose ?? null,
    proofValue: r.proof?.proofValue ?? null,
    verified: Boolean(r.verified),
    error: r.error ? messages(r.error).join('; ') : null
  }));
}

// jsigs' AuthenticationProofPurpose insists on a challenge; without one, the plain controller purpose for the
// same term still checks that the key is listed under it.
function purposeFor(name, {challenge, domain} = {}) {
  if(name === 'authentication' && typeof challenge === 'string') {
    return new AuthenticationProofPurpose({challenge, domain});
  }
  return new ControllerProofPurpose({term: name});
}

async function verify(body, documentLoader) {
  const options = body.options ?? {};
  const common = {suite: VERIFY_SUITES, documentLoader};
  if(options.now) {
    common.now = options.now;
  }
  if(body.presentation) {
    const result = await vc.verify({
      ...common, presentation: body.presentation, challenge: options.challenge, domain: options.domain
    });
    const credentials = (result.credentialResults ?? []).map(r => ({
      verified: Boolean(r.verified), errors: messages(r.error), proofs: proofResults(r)
    }));
    return {
      verified: Boolean(result.verified),
      errors: messages(result.error).concat(...credentials.map(c => c.errors)),
      proofs: proofResults(result.presentationResult),
      credentials
    };
  }
  if(!body.credential) {
    throw new RequestError('expected a credential or a presentation to verify, found neither');
  }
  const purposeName = options.purpose ?? 'assertionMethod';
  const request = {...common, credential: body.credential};
  // assertionMethod keeps vc's own CredentialIssuancePurpose, which also ties the key's controller to the issuer
  if(purposeName !== 'assertionMethod') {
    request.purpose = purposeFor(purposeName, options);
  }
  const result = await vc.verifyCredential(request);
  return {verified: Boolean(result.verified), errors: messages(result.error), proofs: proofResults(result)};
}

async function signingKey({publicKeyMultibase, secretKeyMultibase, id, controller} = {}, cryptosuite) {
  if(typeof publicKeyMultibase !== 'string' || typeof secretKeyMultibase !== 'string') {
    throw new RequestError('expected key.publicKeyMultibase and key.secretKeyMultibase strings');
  }
  const did = `did:key:${publicKeyMultibase}`;
  const description = {
    type: 'Multikey', id: id ?? `${did}#${publicKeyMultibase}`, controller: controller ?? did,
    publicKeyMultibase, secretKeyMultibase
  };
  const library = cryptosuite === 'ecdsa-rdfc-2019' ? EcdsaMultikey : Ed25519Multikey;
  return library.from(description);
}

async function sign(body, documentLoader) {
  const {cryptosuite} = body;
  const options = body.options ?? {};
  const key = await signingKey(body.key, cryptosuite);
  const signer = key.signer();
  let suite;
  if(cryptosuite === 'eddsa-rdfc-2022') {
    suite = new DataIntegrityProof({signer, date: options.created, cryptosuite: eddsaRdfc2022});
  } else if(cryptosuite === 'ecdsa-rdfc-2019') {
    suite = new DataIntegrityProof({signer, date: options.created, cryptosuite: ecdsaRdfc2019});
  } else if(cryptosuite === 'Ed25519Signature2020') {
    suite = new Ed25519Signature2020({signer, date: options.created});
  } else {
    throw new RequestError(`expected cryptosuite eddsa-rdfc-2022, ecdsa-rdfc-2019 or Ed25519Signature2020, ` +
      `found ${JSON.stringify(cryptosuite)}`);
  }
  if(options.proofId) {
    suite.proof = {id: options.proofId};
  }
  if(body.presentation) {
    return vc.signPresentation({
      presentation: body.presentation, suite, documentLoader, challenge: options.challenge, domain: options.domain
    });
  }
  if(!body.credential) {
    throw new RequestError('expected a credential or a presentation to sign, found neither');
  }
  const purposeName = options.purpose ?? 'assertionMethod';
  if(purposeName === 'assertionMethod') {
    return vc.issue({credential: body.credential, suite, documentLoader});
  }
  // another purpose (a negative case): jsigs signs without vc's issuance checks
  return jsigs.sign(body.credential, {suite, purpose: purposeFor(purposeName, options), documentLoader});
}

// The canonical N-Quads the ecdsa-rdfc-2019 cryptosuite signs over, with RDFC-1.0's hash chosen by the caller:
// SHA-256 is the RDFC-1.0 default, SHA-384 what that cryptosuite uses with P-384 keys.
async function canonize(body, documentLoader) {
  const hash = body.hash ?? 'SHA-256';
  if(!['SHA-256', 'SHA-384'].includes(hash)) {
    throw new RequestError(`expected hash SHA-256 or SHA-384, found ${JSON.stringify(hash)}`);
  }
  if(!body.document || typeof body.document !== 'object') {
    throw new RequestError('expected a JSON-LD document to canonize');
  }
  const nquads = await ecdsaRdfc2019.canonize(body.document, {
    documentLoader, safe: true, base: null, skipExpansion: false, messageDigestAlgorithm: hash
  });
  return {nquads};
}

class RequestError extends Error {}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', chunk => {
      size += chunk.length;
      if(size > MAX_BODY_BYTES) {
        reject(new RequestError(`expected a body of at most ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch(error) {
        reject(new RequestError(`expected a JSON body: ${error.message}`));
      }
    });
    request.on('error', reject);
  });
}

function reply(response, status, value) {
  const text = JSON.stringify(value);
  response.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
  response.end(text);
}

async function main() {
  const {contextsFile, issuerKeyFile} = parseArguments(process.argv.slice(2));
  const documentLoader = makeDocumentLoader(loadContexts(contextsFile));
  const vcapi = issuerKeyFile ? await createVcApi({
    issuerKey: JSON.parse(readFileSync(issuerKeyFile, 'utf8')), documentLoader, verifySuites: VERIFY_SUITES
  }) : null;
  const routes = {
    'POST /verify': body => verify(body, documentLoader),
    'POST /sign': body => sign(body, documentLoader),
    'POST /canonize': body => canonize(body, documentLoader)
  };
  const server = http.createServer(async (request, response) => {
    if(vcapi && await vcapi(request, response)) {
      return;
    }
    const route = `${request.method} ${new URL(request.url, 'http://127.0.0.1').pathname}`;
    if(route === 'GET /health') {
      reply(response, 200, {ok: true, versions: VERSIONS});
      return;
    }
    const handler = routes[route];
    if(!handler) {
      reply(response, 404, {error: `no route ${route}`});
      return;
    }
    try {
      reply(response, 200, await handler(await readBody(request)));
    } catch(error) {
      // a bad request is the caller's fault (400); anything else is the library refusing (500), and both carry
      // the message so a failing test can say why
      reply(response, error instanceof RequestError ? 400 : 500, {error: messages(error).join('; ')});
    }
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({port: server.address().port}) + '\n');
  });
  // the suite ends the peer with SIGTERM; close promptly so pytest's teardown does not wait
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    process.exit(0);
  });
}

await main();
