// Command correlator-oracle runs client-go's core/v1 EventCorrelator (k8s.io/client-go/tools/record) on a
// fake clock and prints its decisions, so the integration tests can check Kube Events' correlator against
// the real thing step by step.
//
// Input, one JSON document on stdin:
//
//	{"options": {"lruCacheSize": 0, "burstSize": 0, "qps": 0, "maxEvents": 0, "maxIntervalInSeconds": 0},
//	 "steps": [{"op": "correlate", "atNs": "1773043200000000000", "event": {core/v1 Event}},
//	           {"op": "updateState", "event": {core/v1 Event}}]}
//
// Zero options take client-go's defaults. atNs is Unix nanoseconds as a decimal string (it does not fit a
// float64). Output: one JSON line per step, {"skip": bool, "event": Event|null, "patch": object|null}; an
// updateState step prints {}. A malformed input ends with a message on stderr and exit status 2.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	testclock "k8s.io/utils/clock/testing"
)

type options struct {
	LRUCacheSize         int     `json:"lruCacheSize"`
	BurstSize            int     `json:"burstSize"`
	QPS                  float64 `json:"qps"`
	MaxEvents            int     `json:"maxEvents"`
	MaxIntervalInSeconds int     `json:"maxIntervalInSeconds"`
}

type step struct {
	Op    string    `json:"op"`
	AtNs  string    `json:"atNs"`
	Event *v1.Event `json:"event"`
}

type input struct {
	Options options `json:"options"`
	Steps   []step  `json:"steps"`
}

type decision struct {
	Skip  bool            `json:"skip"`
	Event *v1.Event       `json:"event"`
	Patch json.RawMessage `json:"patch"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "correlator-oracle: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	var in input
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		fail("cannot read the input: %v", err)
	}
	clock := testclock.NewFakePassiveClock(time.Unix(0, 0))
	correlator := record.NewEventCorrelatorWithOptions(record.CorrelatorOptions{
		LRUCacheSize:         in.Options.LRUCacheSize,
		BurstSize:            in.Options.BurstSize,
		QPS:                  float32(in.Options.QPS),
		MaxEvents:            in.Options.MaxEvents,
		MaxIntervalInSeconds: in.Options.MaxIntervalInSeconds,
		Clock:                clock,
	})
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for i, s := range in.Steps {
		if s.Event == nil {
			fail("step %d has no event", i)
		}
		switch s.Op {
		case "correlate":
			ns, err := strconv.ParseInt(s.AtNs, 10, 64)
			if err != nil {
				fail("step %d: atNs %q is not a whole number of nanoseconds", i, s.AtNs)
			}
			clock.SetTime(time.Unix(0, ns))
			result, err := correlator.EventCorrelate(s.Event)
			if err != nil {
				fail("step %d: EventCorrelate: %v", i, err)
			}
			d := decision{Skip: result.Skip, Event: result.Event, Patch: json.RawMessage("null")}
			if len(result.Patch) > 0 {
				d.Patch = result.Patch
			}
			if err := enc.Encode(d); err != nil {
				fail("step %d: %v", i, err)
			}
		case "updateState":
			correlator.UpdateState(s.Event)
			if _, err := out.WriteString("{}\n"); err != nil {
				fail("step %d: %v", i, err)
			}
		default:
			fail("step %d: unknown op %q (correlate or updateState)", i, s.Op)
		}
	}
}
