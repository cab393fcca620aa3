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

import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {OID4Client, getCredentialOffer} from '@digitalbazaar/oid4-client';

const MAX_ERROR_CHARS = 600;

function parseArguments(argv) {
  const at = argv.indexOf('--contexts');
  const rest = argv.filter((_, i) => i !== at && i !== at + 1);
  if(at < 0 || !argv[at + 1] || !rest[0]) {
    throw new Error('usage: node wallet.mjs --contexts <contexts.json> <offer URL> [tx_code]');
  }
  return {contextsFile: argv[at + 1], offerUrl: rest[0], txCode: rest[1] || null};
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

async function holder() {
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  return {did, signer: key.signer()};
}

async function receive({offerUrl, documentLoader}) {
  const offer = await getCredentialOffer({url: offerUrl});
  const client = await OID4Client.fromCredentialOffer({offer});
  const {did, signer} = await holder();
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
  return {stored: true};
}

async function main() {
  let report;
  try {
    const {contextsFile, offerUrl} = parseArguments(process.argv.slice(2));
    report = await receive({offerUrl, documentLoader: makeDocumentLoader(contextsFile)});
  } catch(error) {
    report = {stored: false, error: describe(error).slice(0, MAX_ERROR_CHARS)};
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

await main();
