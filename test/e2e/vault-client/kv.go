package main

// KV v1 and v2 through the client's KVv1/KVv2 helpers and plain Logical() calls, plus the mount
// preflight the Vault CLI makes.

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/vault/api"
)

func (r *runner) kvChecks() {
	ctx := context.Background()
	root, err := r.client(r.fx.RootToken, "")
	if err != nil {
		r.check("client", func() (string, error) { return "", err })
		return
	}
	kv2 := root.KVv2("secret")
	r.check("kv2-put", func() (string, error) {
		written, err := kv2.Put(ctx, "app/db", map[string]interface{}{"password": "v2", "user": "app"})
		if err != nil {
			return "", err
		}
		if written.VersionMetadata == nil || written.VersionMetadata.Version != 2 {
			return "", fmt.Errorf("want version 2, got %+v", written.VersionMetadata)
		}
		return "version 2", nil
	})
	r.check("kv2-get", func() (string, error) {
		got, err := kv2.Get(ctx, "app/db")
		if err != nil {
			return "", err
		}
		if got.Data["password"] != "v2" || got.VersionMetadata.Version != 2 || got.VersionMetadata.CreatedTime.IsZero() {
			return "", fmt.Errorf("unexpected secret %+v %+v", got.Data, got.VersionMetadata)
		}
		return fmt.Sprintf("version %d created %s", got.VersionMetadata.Version, got.VersionMetadata.CreatedTime.Format("15:04:05")), nil
	})
	r.check("kv2-get-version", func() (string, error) {
		got, err := kv2.GetVersion(ctx, "app/db", 1)
		if err != nil {
			return "", err
		}
		if got.Data["password"] != "v1" || got.VersionMetadata.Version != 1 {
			return "", fmt.Errorf("unexpected version 1: %+v", got.Data)
		}
		return "version 1 data", nil
	})
	r.check("kv2-deleted-version", func() (string, error) {
		got, err := kv2.GetVersion(ctx, "app/rotating", 2)
		if err != nil {
			return "", err
		}
		if got.Data != nil || got.VersionMetadata.DeletionTime.IsZero() || got.VersionMetadata.Destroyed {
			return "", fmt.Errorf("want nil data with a deletion time, got %+v %+v", got.Data, got.VersionMetadata)
		}
		return "404 with metadata, deletion_time set", nil
	})
	r.check("kv2-destroyed-version", func() (string, error) {
		got, err := kv2.GetVersion(ctx, "app/rotating", 3)
		if err != nil {
			return "", err
		}
		if got.Data != nil || !got.VersionMetadata.Destroyed {
			return "", fmt.Errorf("want nil data, destroyed, got %+v %+v", got.Data, got.VersionMetadata)
		}
		return "404 with metadata, destroyed", nil
	})
	r.check("kv2-missing", func() (string, error) {
		_, err := kv2.Get(ctx, "app/nope")
		if !errors.Is(err, api.ErrSecretNotFound) {
			return "", fmt.Errorf("want ErrSecretNotFound, got %v", err)
		}
		return "ErrSecretNotFound", nil
	})
	r.check("kv2-metadata", func() (string, error) {
		meta, err := kv2.GetMetadata(ctx, "app/rotating")
		if err != nil {
			return "", err
		}
		if meta.CurrentVersion != 4 || len(meta.Versions) != 4 || !meta.Versions["3"].Destroyed || meta.Versions["2"].DeletionTime.IsZero() {
			return "", fmt.Errorf("unexpected metadata %+v", meta)
		}
		return "current_version 4, 4 versions", nil
	})
	r.check("kv2-cas-mismatch", func() (string, error) {
		_, err := kv2.Put(ctx, "app/db", map[string]interface{}{"password": "x"}, api.WithCheckAndSet(1))
		return wantErrors(err, 400, "check-and-set parameter did not match the current version")
	})
	r.check("logical-read-kv2", func() (string, error) {
		secret, err := root.Logical().ReadWithData("secret/data/app/db", map[string][]string{"version": {"1"}})
		if err != nil {
			return "", err
		}
		data, _ := secret.Data["data"].(map[string]interface{})
		meta, _ := secret.Data["metadata"].(map[string]interface{})
		if data["password"] != "v1" || fmt.Sprint(meta["version"]) != "1" || secret.LeaseDuration != 0 || secret.RequestID == "" {
			return "", fmt.Errorf("unexpected envelope %+v", secret)
		}
		return "data.data + data.metadata, request_id set", nil
	})
	kv1 := root.KVv1("kv")
	r.check("kv1-get", func() (string, error) {
		got, err := kv1.Get(ctx, "app/config")
		if err != nil {
			return "", err
		}
		if got.Data["mode"] != "v1" || got.Raw.LeaseDuration != 2764800 {
			return "", fmt.Errorf("unexpected %+v lease %d", got.Data, got.Raw.LeaseDuration)
		}
		return "lease_duration 2764800", nil
	})
	r.check("kv1-put", func() (string, error) {
		if err := kv1.Put(ctx, "app/new", map[string]interface{}{"k": "v"}); err != nil {
			return "", err
		}
		got, err := kv1.Get(ctx, "app/new")
		if err != nil || got.Data["k"] != "v" {
			return "", fmt.Errorf("read back: %v %+v", err, got)
		}
		return "written and read back", nil
	})
	r.check("logical-write-read-kv1", func() (string, error) {
		if _, err := root.Logical().Write("kv/app/raw", map[string]interface{}{"a": "b"}); err != nil {
			return "", err
		}
		secret, err := root.Logical().Read("kv/app/raw")
		if err != nil || secret == nil || secret.Data["a"] != "b" {
			return "", fmt.Errorf("read back: %v %+v", err, secret)
		}
		return "204 write, 200 read", nil
	})
	r.check("logical-read-missing-is-nil", func() (string, error) {
		secret, err := root.Logical().Read("kv/app/none")
		if err != nil || secret != nil {
			return "", fmt.Errorf("want nil, nil; got %+v, %v", secret, err)
		}
		return "nil secret, nil error", nil
	})
	r.check("no-handler-is-nil", func() (string, error) {
		secret, err := root.Logical().Read("nomount/x")
		if err != nil || secret != nil {
			return "", fmt.Errorf("want nil, nil; got %+v, %v", secret, err)
		}
		return "404 no handler → nil", nil
	})
	r.preflightChecks(root)
}

func (r *runner) preflightChecks(root *api.Client) {
	for _, tc := range []struct{ name, path, version string }{{"mounts-preflight-kv2", "secret/app/db", "2"}, {"mounts-preflight-kv1", "kv/app/config", "1"}} {
		r.check(tc.name, func() (string, error) {
			secret, err := root.Logical().Read("sys/internal/ui/mounts/" + tc.path)
			if err != nil {
				return "", err
			}
			options, _ := secret.Data["options"].(map[string]interface{})
			if secret.Data["type"] != "kv" || options["version"] != tc.version {
				return "", fmt.Errorf("unexpected mount %+v", secret.Data)
			}
			return fmt.Sprintf("type kv, path %v, version %v", secret.Data["path"], options["version"]), nil
		})
	}
	r.check("mounts-preflight-denied", func() (string, error) {
		limited, err := r.client(r.fx.LimitedToken, "")
		if err != nil {
			return "", err
		}
		_, err = limited.Logical().Read("sys/internal/ui/mounts/kv/app/config")
		return wantErrors(err, 403, `preflight capability check returned 403, please ensure client's policies grant access to path "kv/app/config/"`)
	})
}
