// Command vault-client drives Courier's fake Vault with HashiCorp's official Go client
// (github.com/hashicorp/vault/api) and prints one JSON line per check, so a test can prove the
// fake speaks the wire format the real client expects. It exits 1 when any check fails.
//
//	vault-client -fixture FILE [-mode full|tls]
//
// The fixture (written by test/e2e/vault-client.test.ts after seeding the fake) names the address,
// tokens, JWTs and TLS files the checks use.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/vault/api"
)

// fixture is what the test seeded, as JSON.
type fixture struct {
	Addr         string `json:"addr"`
	RootToken    string `json:"rootToken"`
	LimitedToken string `json:"limitedToken"`
	CACert       string `json:"caCert"`
	ClientCert   string `json:"clientCert"`
	ClientKey    string `json:"clientKey"`
	Namespace    string `json:"namespace"`
	// JWTs: a pod of team-a/app for the "app" role, and variants the roles must refuse.
	KubernetesJWT     string `json:"kubernetesJwt"`
	WrongAudienceJWT  string `json:"wrongAudienceJwt"`
	WrongNamespaceJWT string `json:"wrongNamespaceJwt"`
	ForeignKeyJWT     string `json:"foreignKeyJwt"`
	NamespaceJWT      string `json:"namespaceJwt"`
	CIJWT             string `json:"ciJwt"`
	CIWrongClaimJWT   string `json:"ciWrongClaimJwt"`
}

// result is one printed line.
type result struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	Error  string `json:"error,omitempty"`
}

// runner runs checks and remembers whether any failed.
type runner struct {
	fx     fixture
	failed bool
	out    *json.Encoder
}

// check runs one named check; a returned error fails it, a returned string is printed as detail.
func (r *runner) check(name string, fn func() (string, error)) {
	started := time.Now()
	detail, err := fn()
	line := result{Check: name, OK: err == nil, Detail: detail}
	if err != nil {
		line.Error = err.Error()
		r.failed = true
	}
	if line.Detail == "" {
		line.Detail = fmt.Sprintf("%dms", time.Since(started).Milliseconds())
	}
	_ = r.out.Encode(line)
}

// client makes an official client for the fake with a token and an optional namespace.
func (r *runner) client(token, namespace string, configure ...func(*api.Config)) (*api.Client, error) {
	config := api.DefaultConfig()
	config.Address = r.fx.Addr
	if r.fx.CACert != "" {
		if err := config.ConfigureTLS(&api.TLSConfig{CACert: r.fx.CACert, ClientCert: r.fx.ClientCert, ClientKey: r.fx.ClientKey}); err != nil {
			return nil, err
		}
	}
	for _, fn := range configure {
		fn(config)
	}
	c, err := api.NewClient(config)
	if err != nil {
		return nil, err
	}
	c.SetToken(token)
	if namespace != "" {
		c.SetNamespace(namespace)
	}
	return c, nil
}

// responseError is the *api.ResponseError inside err, or an error saying there is none.
func responseError(err error, status int) (*api.ResponseError, error) {
	var re *api.ResponseError
	if !errors.As(err, &re) {
		return nil, fmt.Errorf("want *api.ResponseError with status %d, got %v", status, err)
	}
	if re.StatusCode != status {
		return nil, fmt.Errorf("want status %d, got %d (%v)", status, re.StatusCode, re.Errors)
	}
	return re, nil
}

// wantErrors checks a ResponseError's status and exact error list.
func wantErrors(err error, status int, messages ...string) (string, error) {
	re, problem := responseError(err, status)
	if problem != nil {
		return "", problem
	}
	if fmt.Sprint(re.Errors) != fmt.Sprint(messages) {
		return "", fmt.Errorf("want errors %q, got %q", messages, re.Errors)
	}
	return fmt.Sprintf("%d %q", re.StatusCode, re.Errors), nil
}

func main() {
	fixturePath := flag.String("fixture", "", "JSON file written by the e2e test")
	mode := flag.String("mode", "full", "full: every API check; tls: the HTTPS and client-certificate checks")
	flag.Parse()
	raw, err := os.ReadFile(*fixturePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vault-client:", err)
		os.Exit(2)
	}
	r := &runner{out: json.NewEncoder(os.Stdout)}
	if err := json.Unmarshal(raw, &r.fx); err != nil {
		fmt.Fprintln(os.Stderr, "vault-client: fixture:", err)
		os.Exit(2)
	}
	switch *mode {
	case "tls":
		r.tlsChecks()
	default:
		r.kvChecks()
		r.authChecks()
		r.tokenChecks()
		r.engineChecks()
		r.namespaceChecks()
		r.faultChecks()
	}
	if r.failed {
		os.Exit(1)
	}
}
