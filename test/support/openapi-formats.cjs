// The string formats the contract's schemas use, for validators compiled to code by
// test/support/openapi.ts: ajv-formats' full set, plus ISO 639-1 language codes.
"use strict";
const { fullFormats } = require("ajv-formats/dist/formats");

module.exports = { ...fullFormats, "iso-639-1": /^[a-z]{2}$/ };
