//go:build tools

// Package tools names the Secrets Store CSI driver's node binary, which this module builds unchanged, so
// that `go mod tidy` keeps every module it needs in go.mod and go.sum.
package tools

import (
	_ "sigs.k8s.io/secrets-store-csi-driver/cmd/secrets-store-csi-driver"
)
