// One Mount through the driver's client, and a listing of what the driver's writer left on disk.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	internalerrors "sigs.k8s.io/secrets-store-csi-driver/pkg/errors"
	secretsstore "sigs.k8s.io/secrets-store-csi-driver/pkg/secrets-store"
)

// mountResult is what `harness mount` prints.
type mountResult struct {
	OK             bool              `json:"ok"`
	ObjectVersions map[string]string `json:"objectVersions"`
	ErrorCode      string            `json:"errorCode"`
	GRPCCode       string            `json:"grpcCode"`
	Error          string            `json:"error"`
	Files          []fileEntry       `json:"files"`
}

// fileEntry is one regular file a pod would see under the target path.
type fileEntry struct {
	Path   string `json:"path"`
	Mode   string `json:"mode"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// newClientBuilder builds the driver's client builder with the dial option the driver's main adds
// (--max-call-recv-msg-size, default 4 MiB). NewPluginClientBuilder itself adds the ":authority"
// "localhost", insecure transport credentials and the driver's gRPC service config.
func newClientBuilder(socketDir string) *secretsstore.PluginClientBuilder {
	return secretsstore.NewPluginClientBuilder([]string{socketDir}, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(4*1024*1024)))
}

// mountWith does what the driver's mountSecretsStoreObjectContent does: Get the provider's client
// from the builder, then MountContent, which calls Mount and writes the returned files through the
// driver's atomic writer (fileutil.WritePayloads). The target is created first, as NodePublishVolume
// does before it mounts its tmpfs there.
func mountWith(builder *secretsstore.PluginClientBuilder, opts options, req mountRequest) mountResult {
	result := mountResult{ObjectVersions: map[string]string{}, Files: []fileEntry{}}
	ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
	defer cancel()
	if err := os.MkdirAll(opts.target, 0o750); err != nil {
		return failed(result, "FailedToEnsureMountPoint", err)
	}
	client, err := builder.Get(ctx, opts.provider)
	if err != nil {
		return failed(result, internalerrors.FailedToLookupProviderGRPCClient, fmt.Errorf("error connecting to provider %q: %w", opts.provider, err))
	}
	versions, code, err := secretsstore.MountContent(ctx, client, req.attributes, req.secrets, opts.target, req.permission, nil)
	if err != nil {
		return failed(result, code, err)
	}
	result.OK = true
	result.ObjectVersions = versions
	return result
}

func failed(result mountResult, code string, err error) mountResult {
	result.ErrorCode = code
	if st, isStatus := status.FromError(err); isStatus {
		result.GRPCCode = st.Code().String()
		result.Error = st.Message()
	} else {
		result.Error = err.Error()
	}
	return result
}

// mountOnce runs one Mount and lists the files that landed, whatever the outcome.
func mountOnce(opts options, req mountRequest) mountResult {
	builder := newClientBuilder(opts.socketDir)
	defer builder.Cleanup()
	result := mountWith(builder, opts, req)
	files, err := listVisibleFiles(opts.target)
	if err != nil {
		result.OK = false
		result.Error = strings.TrimSpace(result.Error + "; listing the target: " + err.Error())
		return result
	}
	result.Files = files
	return result
}

// listVisibleFiles walks the target as a pod sees it: the writer's hidden entries (`..data`, the
// `..<timestamp>` directories) are skipped and the top-level symlinks into `..data` are followed.
func listVisibleFiles(target string) ([]fileEntry, error) {
	entries, err := os.ReadDir(target)
	if err != nil {
		return nil, err
	}
	files := []fileEntry{}
	for _, entry := range entries {
		if strings.HasPrefix(entry.Name(), "..") {
			continue
		}
		if err := collect(target, entry.Name(), &files); err != nil {
			return nil, err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// collect adds the file at target/rel, or every file below it when it is a directory, following links.
func collect(target, rel string, files *[]fileEntry) error {
	full := filepath.Join(target, rel)
	info, err := os.Stat(full)
	if err != nil {
		return err
	}
	if info.IsDir() {
		children, err := os.ReadDir(full)
		if err != nil {
			return err
		}
		for _, child := range children {
			if err := collect(target, filepath.Join(rel, child.Name()), files); err != nil {
				return err
			}
		}
		return nil
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	*files = append(*files, fileEntry{Path: filepath.ToSlash(rel), Mode: fmt.Sprintf("%04o", info.Mode().Perm()), Size: info.Size(), SHA256: hex.EncodeToString(sum[:])})
	return nil
}
