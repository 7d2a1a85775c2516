package main

// Logins (plain Logical writes and the kubernetes auth helper module) and the token's own
// endpoints: lookup-self, renew-self, revoke-self, expiry, and policy denials.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/kubernetes"
)

func (r *runner) login(path string, body map[string]interface{}) (*api.Secret, error) {
	c, err := r.client("", "")
	if err != nil {
		return nil, err
	}
	return c.Logical().Write(path, body)
}

func (r *runner) authChecks() {
	r.check("login-kubernetes-logical", func() (string, error) {
		secret, err := r.login("auth/kubernetes/login", map[string]interface{}{"role": "app", "jwt": r.fx.KubernetesJWT})
		if err != nil {
			return "", err
		}
		a := secret.Auth
		if a == nil || !strings.HasPrefix(a.ClientToken, "hvs.") || a.Accessor == "" || a.LeaseDuration != 600 || !a.Renewable {
			return "", fmt.Errorf("unexpected auth %+v", a)
		}
		if fmt.Sprint(a.Policies) != "[app default]" || fmt.Sprint(a.TokenPolicies) != "[app default]" || a.Metadata["service_account_name"] != "app" || a.Metadata["service_account_namespace"] != "team-a" {
			return "", fmt.Errorf("unexpected policies or metadata %+v", a)
		}
		return fmt.Sprintf("policies %v, lease_duration %d", a.Policies, a.LeaseDuration), nil
	})
	r.check("login-kubernetes-helper", func() (string, error) {
		c, err := r.client("", "")
		if err != nil {
			return "", err
		}
		method, err := kubernetes.NewKubernetesAuth("app", kubernetes.WithServiceAccountToken(r.fx.KubernetesJWT))
		if err != nil {
			return "", err
		}
		secret, err := c.Auth().Login(context.Background(), method)
		if err != nil {
			return "", err
		}
		if c.Token() != secret.Auth.ClientToken {
			return "", fmt.Errorf("the helper did not set the client's token")
		}
		return "api/auth/kubernetes v0.12.0 logged in", nil
	})
	refusals := []struct {
		name, jwt string
		status    int
		message   string
	}{
		{"login-kubernetes-wrong-audience", r.fx.WrongAudienceJWT, 403, "invalid audience (aud) claim: audience claim does not match any expected audience"},
		{"login-kubernetes-wrong-namespace", r.fx.WrongNamespaceJWT, 403, "namespace not authorized"},
		{"login-kubernetes-bad-signature", r.fx.ForeignKeyJWT, 403, "permission denied"},
	}
	for _, tc := range refusals {
		r.check(tc.name, func() (string, error) {
			_, err := r.login("auth/kubernetes/login", map[string]interface{}{"role": "app", "jwt": tc.jwt})
			return wantErrors(err, tc.status, tc.message)
		})
	}
	r.check("login-kubernetes-unknown-role", func() (string, error) {
		_, err := r.login("auth/kubernetes/login", map[string]interface{}{"role": "nope", "jwt": r.fx.KubernetesJWT})
		return wantErrors(err, 400, `invalid role name "nope"`)
	})
	r.check("login-jwt", func() (string, error) {
		secret, err := r.login("auth/jwt/login", map[string]interface{}{"role": "ci", "jwt": r.fx.CIJWT})
		if err != nil {
			return "", err
		}
		if secret.Auth == nil || secret.Auth.Metadata["role"] != "ci" || fmt.Sprint(secret.Auth.Policies) != "[app default]" {
			return "", fmt.Errorf("unexpected auth %+v", secret.Auth)
		}
		return "jwt role ci", nil
	})
	r.check("login-jwt-bound-claims", func() (string, error) {
		_, err := r.login("auth/jwt/login", map[string]interface{}{"role": "ci", "jwt": r.fx.CIWrongClaimJWT})
		return wantErrors(err, 400, `error validating claims: claim "repository" does not match any associated bound claim values`)
	})
}

func (r *runner) appClient(role string) (*api.Client, *api.Secret, error) {
	secret, err := r.login("auth/kubernetes/login", map[string]interface{}{"role": role, "jwt": r.fx.KubernetesJWT})
	if err != nil {
		return nil, nil, err
	}
	c, err := r.client(secret.Auth.ClientToken, "")
	return c, secret, err
}

func (r *runner) tokenChecks() {
	c, login, err := r.appClient("app")
	if err != nil {
		r.check("token-login", func() (string, error) { return "", err })
		return
	}
	r.check("token-lookup-self", func() (string, error) {
		secret, err := c.Auth().Token().LookupSelf()
		if err != nil {
			return "", err
		}
		ttl, _ := secret.TokenTTL()
		policies, _ := secret.TokenPolicies()
		meta, _ := secret.TokenMetadata()
		accessor, _ := secret.TokenAccessor()
		if ttl <= 0 || ttl > 600*time.Second || fmt.Sprint(policies) != "[app default]" || meta["role"] != "app" || accessor != login.Auth.Accessor || secret.Data["path"] != "auth/kubernetes/login" {
			return "", fmt.Errorf("unexpected lookup %+v", secret.Data)
		}
		return fmt.Sprintf("ttl %s", ttl), nil
	})
	r.check("token-renew-self", func() (string, error) {
		secret, err := c.Auth().Token().RenewSelf(900)
		if err != nil {
			return "", err
		}
		if secret.Auth == nil || secret.Auth.LeaseDuration != 900 || secret.Auth.ClientToken != login.Auth.ClientToken {
			return "", fmt.Errorf("unexpected renewal %+v", secret.Auth)
		}
		return "lease_duration 900", nil
	})
	r.check("token-renew-self-capped", func() (string, error) {
		secret, err := c.Auth().Token().RenewSelf(7200)
		if err != nil {
			return "", err
		}
		if secret.Auth.LeaseDuration > 1200 || len(secret.Warnings) != 1 || !strings.Contains(secret.Warnings[0], "exceeded the effective max_ttl") {
			return "", fmt.Errorf("want a capped TTL and a warning, got %d %q", secret.Auth.LeaseDuration, secret.Warnings)
		}
		return secret.Warnings[0], nil
	})
	r.check("policy-denied", func() (string, error) {
		_, err := c.Logical().Read("secret/data/other")
		return wantErrors(err, 403, "1 error occurred:\n\t* permission denied\n\n")
	})
	r.check("token-revoke-self", func() (string, error) {
		if err := c.Auth().Token().RevokeSelf(""); err != nil {
			return "", err
		}
		_, err := c.Auth().Token().LookupSelf()
		return wantErrors(err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
	})
	r.check("token-expiry", func() (string, error) {
		short, secret, err := r.appClient("short")
		if err != nil {
			return "", err
		}
		if secret.Auth.LeaseDuration != 1 {
			return "", fmt.Errorf("want lease_duration 1, got %d", secret.Auth.LeaseDuration)
		}
		time.Sleep(1100 * time.Millisecond)
		_, err = short.Auth().Token().LookupSelf()
		return wantErrors(err, 403, "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n")
	})
}
