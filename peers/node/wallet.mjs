// A wallet for the suite's counter-party modules, built on Digital Bazaar's OpenID4VC client library
// (@digitalbazaar/oid4-client). The suite runs it as a driver command, once per test session:
//
//   node wallet.mjs --contexts contexts.json <openid-credential-offer://...> [tx_code]
//
// The protocol is the library's own: getCredentialOffer (by value or credential_offer_uri), then
// OID4Client.fromCredentialOffer (issuer discovery and the pre-authorized code token request), getNonce and
// requestCredential with a DID proof JWT signed by a fresh did:key (Ed25519) holder key. Our code only decides
// what a wallet does with what comes back: it keeps a credential when @digitalbazaar/vc verifies it (contexts and
// did:key resolved offline, as in server.mjs) and it is bound to the holder's DID. The last stdout line is the
// report the suite's drivers read: {"stored": true} or {"stored": false, "error": "..."}.
//
// The library insists on https, so the suite serves its issuer with TLS (options tls_cert / tls_key) and this
// process trusts the test CA through NODE_EXTRA_CA_CERTS. The transaction code is accepted and not used: the
// library has no parameter for it.
//
// Given an openid4vp:// URL instead, it presents what it stored (OpenID4VP 1.0, DCQL, ldp_vc):
//
//   node wallet.mjs --contexts contexts.json --store store.json <openid4vp://...>
//
// The protocol is again the library's: oid4vp.authzRequest.get fetches (or parses) the authorization request and
// checks its signature, client identifier and response mode; query.dcql.toJsonPointerMap and
// query.credentialMatches pick the stored credential each DCQL credential query asks for; oid4vp.authzResponse.send
// posts the answer to the response_uri. Our code resolves the request signer's key (did:key, offline: the library
// asks the caller for it), builds the presentation with @digitalbazaar/vc (holder = the wallet's did:key, signed
// eddsa-rdfc-2022 with challenge = nonce and domain = client_id) and keys vp_token by the credential query ids.
// The report is {"presented": true} or {"presented": false, "error": "..."}.
//
// --store names a JSON file that keeps the holder key and the credentials between the driver calls of one run (each
// call is a new process); without it every call starts with a fresh holder and an empty store.

import {createPublicKey} from 'node:crypto';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {OID4Client, getCredentialOffer, oid4vp, query} from '@digitalbazaar/oid4-client';

const MAX_ERROR_CHARS = 600;

function parseArguments(argv) {
  const options = {};
  const rest = [];
  for(let i = 0; i < argv.length; ++i) {
    if(argv[i] === '--contexts' || argv[i] === '--store') {
      options[argv[i].slice(2)] = argv[++i];
    } else {
      rest.push(argv[i]);
    }
  }
  if(!options.contexts || !rest[0]) {
    throw new Error('usage: node wallet.mjs --contexts <contexts.json> [--store <store.json>] ' +
      '<openid-credential-offer://... | openid4vp://...> [tx_code]');
  }
  return {contextsFile: options.contexts, storeFile: options.store || null, url: rest[0], txCode: rest[1] || null};
}

function makeDocumentLoader(contextsFile) {
  const contexts = new Map(Object.entries(JSON.parse(readFileSync(contextsFile, 'utf8')))
    .map(([url, path]) => [url, JSON.parse(readFileSync(path, 'utf8'))]));
  const resolver = didKey.driver();
  resolver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  resolver.use({multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from});
  return async url => {
    if(contexts.has(url)) {
      return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await resolver.get({url})};
    }
    throw new Error(`the wallet loads only the given contexts and did:key URLs offline; refused ${url}`);
  };
}

// The library wraps errors in named errors with causes; the report names the whole chain, briefly.
function describe(error, depth = 0) {
  if(!error || depth > 6) {
    return '';
  }
  const own = `${error.name ?? 'Error'}: ${error.message ?? String(error)}`;
  const status = error.status ? ` (HTTP ${error.status})` : '';
  const inner = describe(error.cause ?? error.errors?.[0], depth + 1);
  return own + status + (inner ? ` <- ${inner}` : '');
}

// The wallet's store: its holder key and what it kept. In a file when --store is given, else for this process only.
function openStore(storeFile) {
  const empty = {holder: null, credentials: []};
  if(!storeFile || !existsSync(storeFile)) {
    return empty;
  }
  const stored = JSON.parse(readFileSync(storeFile, 'utf8'));
  return {holder: stored.holder ?? null, credentials: Array.isArray(stored.credentials) ? stored.credentials : []};
}

function saveStore(storeFile, store) {
  if(storeFile) {
    writeFileSync(storeFile, JSON.stringify(store), {mode: 0o600});
  }
}

async function holder(store) {
  const key = store.holder ? await Ed25519Multikey.from(store.holder) : await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  if(!store.holder) {
    const {publicKeyMultibase, secretKeyMultibase} = await key.export({publicKey: true, secretKey: true});
    store.holder = {publicKeyMultibase, secretKeyMultibase};
  }
  return {did, key, signer: key.signer()};
}

async function receive({offerUrl, documentLoader, store}) {
  const offer = await getCredentialOffer({url: offerUrl});
  const client = await OID4Client.fromCredentialOffer({offer});
  const {did, signer} = await holder(store);
  const {nonce} = await client.getNonce();
  const result = await client.requestCredential({did, didProofSigner: signer, nonce});
  // 1.0 answers {credentials: [{credential}]}; on its draft-13 path the library hands the answer back as it came
  const first = result?.credential ?? result?.credentials?.[0];
  const credential = first?.credential && !first['@context'] ? first.credential : first;
  if(!credential || typeof credential !== 'object') {
    return {stored: false, error: 'the credential response holds no credential the wallet can read'};
  }
  const verified = await vc.verifyCredential({
    credential, documentLoader,
    suite: [new DataIntegrityProof({cryptosuite: eddsaRdfc2022}), new DataIntegrityProof({cryptosuite: ecdsaRdfc2019})]
  });
  if(!verified.verified) {
    return {stored: false, error: `the credential does not verify: ${describe(verified.error)}`};
  }
  const subjects = [credential.credentialSubject].flat().map(s => s?.id);
  if(!subjects.includes(did)) {
    return {stored: false, error: `the credential is bound to ${subjects.join(', ')}, not to the holder ${did}`};
  }
  store.credentials.push(credential);
  return {stored: true};
}

// The library verifies a signed request object with whatever key the caller hands it for the JWS header; the
// wallet resolves the header's kid offline (did:key only) and gives the library that key.
function verificationKeys(documentLoader) {
  return async ({protectedHeader}) => {
    const kid = protectedHeader?.kid;
    if(typeof kid !== 'string' || !kid.startsWith('did:key:')) {
      throw new Error(`the wallet resolves only did:key verification methods; the request names kid ${kid}`);
    }
    const {document} = await documentLoader(kid);
    const method = document?.verificationMethod?.[0] ?? document;
    if(!method?.publicKeyMultibase?.startsWith('z6Mk')) {
      throw new Error(`the wallet verifies only Ed25519 request objects; ${kid} is not an Ed25519 key`);
    }
    const jwk = await Ed25519Multikey.toJwk({keyPair: await Ed25519Multikey.from(method)});
    return createPublicKey({key: jwk, format: 'jwk'});
  };
}

async function present({requestUrl, documentLoader, store}) {
  if(store.credentials.length === 0) {
    return {presented: false, error: 'the wallet holds no credential to present'};
  }
  const {authorizationRequest} = await oid4vp.authzRequest.get({
    url: requestUrl, getVerificationKey: verificationKeys(documentLoader)});
  const credentialQueries = authorizationRequest.dcql_query?.credentials;
  if(!Array.isArray(credentialQueries) || credentialQueries.length === 0) {
    return {presented: false, error: 'the authorization request carries no DCQL query the wallet can answer'};
  }
  const {did, signer} = await holder(store);
  const suite = new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022});
  const vpToken = {};
  for(const credentialQuery of credentialQueries) {
    if(credentialQuery?.format !== 'ldp_vc') {
      return {presented: false, error: `the wallet presents ldp_vc only; query ${credentialQuery?.id} asks for ` +
        `${credentialQuery?.format}`};
    }
    const map = query.dcql.toJsonPointerMap({dcqlCredentialQuery: credentialQuery});
    const credential = store.credentials.find(c => query.credentialMatches({credential: c, map}));
    if(!credential) {
      return {presented: false, error: `no stored credential matches the credential query ${credentialQuery.id}`};
    }
    const presentation = vc.createPresentation({verifiableCredential: [credential], holder: did});
    vpToken[credentialQuery.id] = [await vc.signPresentation({
      presentation, suite, documentLoader,
      challenge: authorizationRequest.nonce, domain: authorizationRequest.client_id})];
  }
  // DCQL answers are a JSON object keyed by query id; naming a media type stops the library from building a
  // Presentation Exchange submission (which needs a presentation_definition this request does not have)
  await oid4vp.authzResponse.send({
    authorizationRequest, vpToken: JSON.stringify(vpToken), vpTokenMediaType: 'application/json'});
  return {presented: true};
}

// oid4vp.authzRequest.get (5.10.0) calls its async `validate` without awaiting it, so what validate refuses (a
// response_mode other than direct_post, a client_id that differs from the URL's) surfaces as an unhandled rejection
// after get has returned the request. Node's default ends the process then (a browser would only log it and the
// wallet would carry on); the wallet keeps that outcome and reports it instead of dying silently.
function reportUnhandled(kind) {
  process.on('unhandledRejection', error => {
    process.stdout.write(JSON.stringify({[kind]: false, error: ('unhandled rejection inside the library: ' +
      describe(error)).slice(0, MAX_ERROR_CHARS)}) + '\n');
    process.exit(1);
  });
}

async function main() {
  let report;
  let kind = 'stored';
  try {
    const {contextsFile, storeFile, url} = parseArguments(process.argv.slice(2));
    kind = url.startsWith('openid4vp:') ? 'presented' : 'stored';
    reportUnhandled(kind);
    const documentLoader = makeDocumentLoader(contextsFile);
    const store = openStore(storeFile);
    report = kind === 'presented' ?
      await present({requestUrl: url, documentLoader, store}) :
      await receive({offerUrl: url, documentLoader, store});
    saveStore(storeFile, store);
  } catch(error) {
    report = {[kind]: false, error: describe(error).slice(0, MAX_ERROR_CHARS)};
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

await main();
