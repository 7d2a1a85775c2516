// Repeated Mounts over one long-lived client, as the driver keeps its provider connection.
package main

import (
	"time"
)

// loopResult is what `harness loop` prints.
type loopResult struct {
	Mounts          int      `json:"mounts"`
	Failures        int      `json:"failures"`
	FailureMessages []string `json:"failureMessages"`
	// LongestGapMs is the longest time between the ends of two consecutive successful Mounts (from
	// the start of the loop for the first one, and to its end after the last one), so a rollout's
	// outage shows up here even when every call eventually succeeds.
	LongestGapMs int64 `json:"longestGapMs"`
}

const keptFailureMessages = 5

// mountLoop mounts again and again into the same target for opts.duration, pausing opts.interval
// after each call. It uses ONE PluginClientBuilder, so after the first Get every Mount goes through
// the same grpc.ClientConn, exactly as in the driver. That connection carries the driver's service
// config (secretsstore.ServiceConfig): waitForReady is true, so while the socket is gone or refuses
// connections a Mount waits for the connection to come back (up to its deadline) instead of failing
// at once; and the retry policy re-sends a Mount that ends in UNAVAILABLE, up to 3 attempts in all,
// with backoff starting at 1s (multiplier 1.1, at most 10s). Only the end result of each MountContent
// is counted here, as the driver only sees that.
func mountLoop(opts options, req mountRequest) loopResult {
	builder := newClientBuilder(opts.socketDir)
	defer builder.Cleanup()
	result := loopResult{FailureMessages: []string{}}
	start := time.Now()
	lastSuccess := start
	var longest time.Duration
	for time.Since(start) < opts.duration {
		outcome := mountWith(builder, opts, req)
		result.Mounts++
		if outcome.OK {
			longest = max(longest, time.Since(lastSuccess))
			lastSuccess = time.Now()
		} else {
			result.Failures++
			if len(result.FailureMessages) < keptFailureMessages {
				result.FailureMessages = append(result.FailureMessages, outcome.ErrorCode+": "+outcome.Error)
			}
		}
		time.Sleep(opts.interval)
	}
	longest = max(longest, time.Since(lastSuccess))
	result.LongestGapMs = longest.Milliseconds()
	return result
}
