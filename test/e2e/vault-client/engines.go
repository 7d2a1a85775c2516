package main

// Dynamic secrets: database credentials under a lease (renewed and revoked through Sys()), and a
// PKI certificate checked with Go's crypto/x509 and crypto/tls.

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
)

func (r *runner) engineChecks() {
	c, _, err := r.appClient("app")
	if err != nil {
		r.check("engines-login", func() (string, error) { return "", err })
		return
	}
	var leaseID string
	r.check("database-creds", func() (string, error) {
		secret, err := c.Logical().Read("database/creds/readonly")
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(secret.LeaseID, "database/creds/readonly/") || secret.LeaseDuration != 300 || !secret.Renewable || secret.Data["username"] == "" || secret.Data["password"] == "" {
			return "", fmt.Errorf("unexpected credential %+v", secret)
		}
		leaseID = secret.LeaseID
		return fmt.Sprintf("lease_duration %d, username %v", secret.LeaseDuration, secret.Data["username"]), nil
	})
	r.check("lease-renew", func() (string, error) {
		secret, err := c.Sys().Renew(leaseID, 120)
		if err != nil {
			return "", err
		}
		if secret.LeaseID != leaseID || secret.LeaseDuration != 120 || !secret.Renewable {
			return "", fmt.Errorf("unexpected renewal %+v", secret)
		}
		return "lease_duration 120", nil
	})
	r.check("lease-renew-capped", func() (string, error) {
		secret, err := c.Sys().Renew(leaseID, 3600)
		if err != nil {
			return "", err
		}
		if secret.LeaseDuration > 900 || len(secret.Warnings) != 1 {
			return "", fmt.Errorf("want the max TTL (900) and a warning, got %d %q", secret.LeaseDuration, secret.Warnings)
		}
		return fmt.Sprintf("capped to %d", secret.LeaseDuration), nil
	})
	r.check("lease-revoke", func() (string, error) {
		if err := c.Sys().Revoke(leaseID); err != nil {
			return "", err
		}
		_, err := c.Sys().Renew(leaseID, 60)
		return wantErrors(err, 400, "lease not found")
	})
	r.check("database-unknown-role", func() (string, error) {
		root, err := r.client(r.fx.RootToken, "")
		if err != nil {
			return "", err
		}
		_, err = root.Logical().Read("database/creds/nope")
		return wantErrors(err, 400, "unknown role: nope")
	})
	r.check("pki-issue", func() (string, error) { return r.pkiIssue(c.Logical().Write) })
	r.check("pki-name-not-allowed", func() (string, error) {
		_, err := c.Logical().Write("pki/issue/web", map[string]interface{}{"common_name": "evil.example.org"})
		return wantErrors(err, 400, "common name evil.example.org not allowed by this role")
	})
}

func (r *runner) pkiIssue(write func(string, map[string]interface{}) (*api.Secret, error)) (string, error) {
	secret, err := write("pki/issue/web", map[string]interface{}{"common_name": "app.example.com", "alt_names": "api.example.com", "ttl": "1h"})
	if err != nil {
		return "", err
	}
	pemOf := func(key string) []byte { s, _ := secret.Data[key].(string); return []byte(s) }
	block, _ := pem.Decode(pemOf("certificate"))
	if block == nil {
		return "", fmt.Errorf("certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemOf("issuing_ca")) {
		return "", fmt.Errorf("issuing_ca is not PEM")
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "api.example.com"}); err != nil {
		return "", fmt.Errorf("verify against issuing_ca: %w", err)
	}
	if _, err := tls.X509KeyPair(pemOf("certificate"), pemOf("private_key")); err != nil {
		return "", fmt.Errorf("private_key does not match: %w", err)
	}
	chain, _ := secret.Data["ca_chain"].([]interface{})
	serial := colonHex(cert.SerialNumber.Bytes())
	expiration := fmt.Sprint(secret.Data["expiration"])
	if cert.Subject.CommonName != "app.example.com" || secret.Data["serial_number"] != serial || secret.Data["private_key_type"] != "rsa" || len(chain) != 1 || expiration != fmt.Sprint(cert.NotAfter.Unix()) {
		return "", fmt.Errorf("unexpected fields: cn %s serial %v/%s type %v chain %d expiration %s/%d", cert.Subject.CommonName, secret.Data["serial_number"], serial, secret.Data["private_key_type"], len(chain), expiration, cert.NotAfter.Unix())
	}
	if left := time.Until(cert.NotAfter); left < 59*time.Minute || left > 61*time.Minute {
		return "", fmt.Errorf("want about 1h of validity, got %s", left)
	}
	return fmt.Sprintf("verified, SANs %v, serial %s", cert.DNSNames, serial), nil
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, ":")
}
