package jcs

import (
	"encoding/json"
	"testing"
)

func TestCanonical(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		// RFC 8785 §3.2.3: members sorted by UTF-16 code units.
		{`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`,
			"{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"},
		// RFC 8785 §3.2.2 numbers and literals.
		{`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"literals":[null,true,false]}`,
			`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}`},
		{`{"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"}`, `{"string":"€$\u000f\nA'B\"\\\\\"/"}`},
		{`[1, -0, 100, 1e21, 1e20, 0.000001, 1e-7, -12.5]`, `[1,0,100,1e+21,100000000000000000000,0.000001,1e-7,-12.5]`},
		{` { "b" : [ ] , "a" : { } } `, `{"a":{},"b":[]}`},
	} {
		got, err := Canonical([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if string(got) != tt.want {
			t.Errorf("Canonical(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalRejects(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1} x`, `[1e999]`} {
		if _, err := Canonical([]byte(in)); err == nil {
			t.Errorf("Canonical(%q) = nil error", in)
		}
	}
}

func TestClean(t *testing.T) {
	v, err := Decode([]byte(`{"a":"","b":[],"c":{},"d":null,"e":[{"x":""},"y",""],"f":{"g":{"h":[]}},"t":true,"n":0}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Marshal(Clean(v))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"e":["y"],"n":0,"t":true}`; string(got) != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if Clean(map[string]any{"a": ""}) != nil {
		t.Fatal("an object with nothing left is not nil")
	}
	var _ = json.Number("1")
}
