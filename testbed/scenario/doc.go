// Package scenario holds end-to-end scenarios: real nodes started with
// testbed, driven over HTTP, talking to the fake Gemini and OpenAI servers
// through the real provider SDKs, on SQLite and PostgreSQL. The package has
// no code of its own; everything lives in its tests.
package scenario
