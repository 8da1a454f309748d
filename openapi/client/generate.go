package client

// The client is generated with oapi-codegen's default settings from the
// committed document; openapi/clients_test.go regenerates it from a live
// node's /openapi.yaml and fails when this file differs.
//
//go:generate go tool oapi-codegen -generate types,client -package client -o client.gen.go ../openapi.yaml
