package main

// Namespaces (SetNamespace and path prefixes), injected faults as the client sees them, and TLS
// with a client certificate.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
)

func (r *runner) namespaceChecks() {
	ns := r.fx.Namespace
	r.check("namespace-kv2-get", func() (string, error) {
		c, err := r.client(r.fx.RootToken, ns)
		if err != nil {
			return "", err
		}
		got, err := c.KVv2("secret").Get(context.Background(), "app/db")
		if err != nil {
			return "", err
		}
		if got.Data["password"] != "in-namespace" {
			return "", fmt.Errorf("want the namespace's secret, got %+v", got.Data)
		}
		return "X-Vault-Namespace: " + ns, nil
	})
	r.check("namespace-path-prefix", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "")
		if err != nil {
			return "", err
		}
		secret, err := c.Logical().Read(ns + "/secret/data/app/db")
		if err != nil || secret == nil {
			return "", fmt.Errorf("read %s/secret/data/app/db: %v", ns, err)
		}
		data, _ := secret.Data["data"].(map[string]interface{})
		if data["password"] != "in-namespace" {
			return "", fmt.Errorf("want the namespace's secret, got %+v", data)
		}
		return ns + "/secret/data/app/db", nil
	})
	r.check("namespace-login-scoped", func() (string, error) {
		c, err := r.client("", ns)
		if err != nil {
			return "", err
		}
		secret, err := c.Logical().Write("auth/kubernetes/login", map[string]interface{}{"role": "app", "jwt": r.fx.NamespaceJWT})
		if err != nil {
			return "", err
		}
		c.SetToken(secret.Auth.ClientToken)
		if _, err := c.KVv2("secret").Get(context.Background(), "app/db"); err != nil {
			return "", fmt.Errorf("in its namespace: %w", err)
		}
		c.ClearNamespace()
		_, err = c.Auth().Token().LookupSelf()
		detail, problem := wantErrors(err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
		if problem != nil {
			return "", fmt.Errorf("in the root namespace: %w", problem)
		}
		return "works in " + ns + ", refused in root: " + detail, nil
	})
}

func (r *runner) faultChecks() {
	noRetry := func(c *api.Config) { c.MaxRetries = 0 }
	r.check("fault-rate-limit", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "", noRetry)
		if err != nil {
			return "", err
		}
		_, err = c.Logical().Read("secret/data/limited")
		return wantErrors(err, 429, `request path "secret/data/limited": rate limit quota exceeded`)
	})
	r.check("fault-sealed", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "", noRetry)
		if err != nil {
			return "", err
		}
		_, err = c.Logical().Read("secret/data/sealed")
		return wantErrors(err, 503, "Vault is sealed")
	})
	r.check("fault-standby", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "", noRetry)
		if err != nil {
			return "", err
		}
		_, err = c.Logical().Read("secret/data/standby")
		return wantErrors(err, 500, "local node not active but active cluster node not found")
	})
	r.check("fault-503-once-retried", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "")
		if err != nil {
			return "", err
		}
		started := time.Now()
		secret, err := c.KVv2("secret").Get(context.Background(), "flaky")
		if err != nil {
			return "", err
		}
		if secret.Data["ok"] != "yes" {
			return "", fmt.Errorf("unexpected %+v", secret.Data)
		}
		return fmt.Sprintf("the client retried and succeeded after %s", time.Since(started).Round(time.Millisecond)), nil
	})
	r.check("fault-delay", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "")
		if err != nil {
			return "", err
		}
		started := time.Now()
		if _, err := c.KVv2("secret").Get(context.Background(), "slow"); err != nil {
			return "", err
		}
		if elapsed := time.Since(started); elapsed < 300*time.Millisecond {
			return "", fmt.Errorf("answered after %s, want at least 300ms", elapsed)
		}
		return "answered after the delay", nil
	})
	r.check("fault-hang-times-out", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "", noRetry, func(c *api.Config) { c.Timeout = 500 * time.Millisecond })
		if err != nil {
			return "", err
		}
		_, err = c.Logical().Read("secret/data/hang")
		var re *api.ResponseError
		if err == nil || errors.As(err, &re) || !(errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Timeout")) {
			return "", fmt.Errorf("want a client timeout, got %v", err)
		}
		return "client timeout, no response", nil
	})
}

func (r *runner) tlsChecks() {
	r.check("tls-client-certificate", func() (string, error) {
		c, err := r.client(r.fx.RootToken, "")
		if err != nil {
			return "", err
		}
		got, err := c.KVv2("secret").Get(context.Background(), "app/db")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("read version %d over HTTPS with a client certificate", got.VersionMetadata.Version), nil
	})
	r.check("tls-without-client-certificate", func() (string, error) {
		// The right CA, but no client certificate.
		config := api.DefaultConfig()
		config.Address = r.fx.Addr
		config.MaxRetries = 0
		if err := config.ConfigureTLS(&api.TLSConfig{CACert: r.fx.CACert}); err != nil {
			return "", err
		}
		c, err := api.NewClient(config)
		if err != nil {
			return "", err
		}
		c.SetToken(r.fx.RootToken)
		_, err = c.KVv2("secret").Get(context.Background(), "app/db")
		var re *api.ResponseError
		if err == nil || errors.As(err, &re) {
			return "", fmt.Errorf("want a TLS failure, got %v", err)
		}
		return "refused: " + lastLine(err.Error()), nil
	})
	r.check("tls-unknown-ca", func() (string, error) {
		config := api.DefaultConfig()
		config.Address = r.fx.Addr
		config.MaxRetries = 0
		c, err := api.NewClient(config)
		if err != nil {
			return "", err
		}
		c.SetToken(r.fx.RootToken)
		_, err = c.Logical().Read("secret/data/app/db")
		if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
			return "", fmt.Errorf("want an unknown-authority error, got %v", err)
		}
		return "x509: certificate signed by unknown authority", nil
	})
}

func lastLine(text string) string {
	parts := strings.Split(strings.TrimSpace(text), ":")
	return strings.TrimSpace(parts[len(parts)-1])
}
