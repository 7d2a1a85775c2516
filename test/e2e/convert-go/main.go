// Renders a Vault Agent template with Go's text/template and a fake `secret`, for comparing with
// what Courier's converted template renders. Reads one JSON request on stdin:
//
//	{"template": "...", "left": "{{", "right": "}}", "secrets": {"<path>": {"data": {...}}}}
//
// and writes the rendered bytes to stdout. The functions behave as Vault Agent's do for the
// inputs the tests use: Vault's JSON decoded with numbers kept as text, toJSON is json.Marshal
// with surrounding space trimmed, toJSONPretty is json.MarshalIndent with two spaces.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type request struct {
	Template string                     `json:"template"`
	Left     string                     `json:"left"`
	Right    string                     `json:"right"`
	Secrets  map[string]json.RawMessage `json:"secrets"`
}

// Secret has the fields of a Vault API response a template may read.
type Secret struct {
	RequestID     string
	LeaseID       string
	LeaseDuration int
	Renewable     bool
	Data          map[string]interface{}
	Warnings      []string
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fail(err)
	}
	funcs := template.FuncMap{
		"secret": func(path string, _ ...string) (*Secret, error) {
			raw, ok := req.Secrets[path]
			if !ok {
				return nil, fmt.Errorf("no secret at %s", path)
			}
			var body struct {
				Data map[string]interface{} `json:"data"`
			}
			decoder := json.NewDecoder(bytes.NewReader(raw))
			decoder.UseNumber()
			if err := decoder.Decode(&body); err != nil {
				return nil, err
			}
			return &Secret{Data: body.Data}, nil
		},
		"toJSON": func(v interface{}) (string, error) {
			out, err := json.Marshal(v)
			return string(bytes.TrimSpace(out)), err
		},
		"toJSONPretty": func(v interface{}) (string, error) {
			out, err := json.MarshalIndent(v, "", "  ")
			return string(bytes.TrimSpace(out)), err
		},
		"base64Decode": func(s string) (string, error) {
			out, err := base64.StdEncoding.DecodeString(s)
			return string(out), err
		},
		"base64Encode": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"trimSpace":    strings.TrimSpace,
		"toLower":      strings.ToLower,
		"toUpper":      strings.ToUpper,
		"replaceAll":   func(from, to, s string) string { return strings.ReplaceAll(s, from, to) },
	}
	left, right := req.Left, req.Right
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	tmpl, err := template.New("t").Delims(left, right).Funcs(funcs).Option("missingkey=error").Parse(req.Template)
	if err != nil {
		fail(err)
	}
	if err := tmpl.Execute(os.Stdout, nil); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
