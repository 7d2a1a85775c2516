// The CSI calls kubelet makes for an inline volume, over one gRPC connection to the node plugin.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// publishInput is what a NodePublishVolume carries besides the volume id and target.
type publishInput struct {
	volumeContext map[string]string
	secrets       map[string]string
}

// callResult is what `publish` and `unpublish` print.
type callResult struct {
	OK bool `json:"ok"`
	// GRPCCode is the status code name, e.g. Unknown or InvalidArgument; "" when ok.
	GRPCCode string `json:"grpcCode"`
	// Error is the status message, as kubelet records it in the pod's events; "" when ok.
	Error     string `json:"error"`
	ElapsedMs int64  `json:"elapsedMs"`
}

// nodeClient is a CSI node client on one connection, as kubelet keeps one per plugin.
type nodeClient struct {
	conn *grpc.ClientConn
	node csi.NodeClient
}

// dial connects to the plugin's socket the way kubelet's CSI client does: plaintext over a Unix socket.
func dial(endpoint string) (*nodeClient, error) {
	conn, err := grpc.NewClient("unix://"+endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", endpoint, err)
	}
	return &nodeClient{conn: conn, node: csi.NewNodeClient(conn)}, nil
}

func (c *nodeClient) close() {
	_ = c.conn.Close()
}

// publish sends NodePublishVolume as kubelet does for an inline volume of the Secrets Store CSI driver:
// a mount capability, readonly (the driver refuses anything else) and the volume context.
func (c *nodeClient) publish(opts options, input publishInput) callResult {
	ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
	defer cancel()
	start := time.Now()
	_, err := c.node.NodePublishVolume(ctx, &csi.NodePublishVolumeRequest{
		VolumeId:   opts.volumeID,
		TargetPath: opts.target,
		VolumeCapability: &csi.VolumeCapability{
			AccessType: &csi.VolumeCapability_Mount{Mount: &csi.VolumeCapability_MountVolume{}},
			AccessMode: &csi.VolumeCapability_AccessMode{Mode: csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER},
		},
		Readonly:      true,
		Secrets:       input.secrets,
		VolumeContext: input.volumeContext,
	})
	return resultOf(err, start)
}

// unpublish sends NodeUnpublishVolume for the target.
func (c *nodeClient) unpublish(opts options) callResult {
	ctx, cancel := context.WithTimeout(context.Background(), opts.timeout)
	defer cancel()
	start := time.Now()
	_, err := c.node.NodeUnpublishVolume(ctx, &csi.NodeUnpublishVolumeRequest{VolumeId: opts.volumeID, TargetPath: opts.target})
	return resultOf(err, start)
}

func resultOf(err error, start time.Time) callResult {
	result := callResult{OK: err == nil, ElapsedMs: time.Since(start).Milliseconds()}
	if err != nil {
		st := status.Convert(err)
		result.GRPCCode = st.Code().String()
		result.Error = st.Message()
	}
	return result
}

// loopResult is what `loop` prints.
type loopResult struct {
	Publishes int `json:"publishes"`
	Failures  int `json:"failures"`
	// FailureMessages are the first few failures, as "<call> <code>: <message>".
	FailureMessages []string `json:"failureMessages"`
	// LongestPublishMs is the slowest NodePublishVolume that succeeded.
	LongestPublishMs int64 `json:"longestPublishMs"`
}

// loop publishes and unpublishes the same target again and again for opts.duration, so that every
// NodePublishVolume is a first mount (a remount's provider errors are masked by the driver) and calls
// the provider.
func (c *nodeClient) loop(opts options, input publishInput) loopResult {
	result := loopResult{FailureMessages: []string{}}
	fail := func(call string, r callResult) {
		result.Failures++
		if len(result.FailureMessages) < 5 {
			result.FailureMessages = append(result.FailureMessages, fmt.Sprintf("%s %s: %s", call, r.GRPCCode, r.Error))
		}
	}
	for end := time.Now().Add(opts.duration); time.Now().Before(end); time.Sleep(opts.interval) {
		published := c.publish(opts, input)
		result.Publishes++
		if !published.OK {
			fail("NodePublishVolume", published)
		} else if published.ElapsedMs > result.LongestPublishMs {
			result.LongestPublishMs = published.ElapsedMs
		}
		if unpublished := c.unpublish(opts); !unpublished.OK {
			fail("NodeUnpublishVolume", unpublished)
		}
	}
	return result
}
