// fhirclient's Node build never loads this (lib/security/server.js uses node:crypto); see package.json.
throw new Error('isomorphic-webcrypto is not available in Confide: fhirclient is used from Node only');
