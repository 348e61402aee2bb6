package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/klog/v2"
)

// Annotations on a Website that start an event storm: what a careless recorder call does to client-go's
// correlator, for Kube Events' recorder ledger and its lints to show on real output.
const (
	// stormAnnotation holds N: N Warning ProbeFailed events with N different messages, then N/3 Normal Resynced
	// events with one message, recorded on the Website faster than client-go's spam filter allows.
	stormAnnotation = "demo.kube-events.local/event-storm"
	// stormElsewhereAnnotation holds namespaces (comma-separated) where the storm also records one MirrorFailed
	// Warning about a Website of the same name: the apiserver refuses a namespace that does not exist
	// ("Server rejected event" in the log) and, silently, one that is terminating (logged only at -v=5).
	stormElsewhereAnnotation = "demo.kube-events.local/event-storm-elsewhere"
	// stormSpacing is the pause between two attempts: 40 attempts take 2 s, a burst by any measure.
	stormSpacing = 50 * time.Millisecond
	maxStorm     = 1000
)

type stormLog struct {
	mu      sync.Mutex
	started map[string]bool
}

// once reports whether this Website (uid) has not stormed with this annotation value yet, and remembers it.
func (s *stormLog) once(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started[key] {
		return false
	}
	s.started[key] = true
	return true
}

// maybeStorm starts the storm a Website's annotation asks for, once per value, off the worker goroutine.
func (c *controller) maybeStorm(ctx context.Context, site *unstructured.Unstructured) {
	value, ok := site.GetAnnotations()[stormAnnotation]
	if !ok {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < 1 || n > maxStorm {
		klog.InfoS("ignoring the event-storm annotation: not a number from 1 to 1000", "website", klog.KObj(site), "value", value)
		return
	}
	elsewhere := site.GetAnnotations()[stormElsewhereAnnotation]
	if !c.storms.once(string(site.GetUID()) + "/" + value + "/" + elsewhere) {
		return
	}
	site = site.DeepCopy()
	go c.storm(ctx, site, n, elsewhere)
}

func (c *controller) storm(ctx context.Context, site *unstructured.Unstructured, n int, elsewhere string) {
	klog.InfoS("event storm starting", "website", klog.KObj(site), "attempts", n)
	tick := time.NewTicker(stormSpacing)
	defer tick.Stop()
	wait := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
			return true
		}
	}
	// A different message every time (the attempt number, the status): nothing for the correlator to count, so
	// after 10 in 10 minutes client-go combines them, and after 25 its spam filter drops the rest.
	for i := 1; i <= n; i++ {
		if !wait() {
			return
		}
		c.recorder.Eventf(site, corev1.EventTypeWarning, "ProbeFailed", "Probe of %s failed: attempt %d got HTTP %d", site.GetName(), i, 500+i%4)
	}
	// The same message every time: client-go counts these on one event.
	for i := 1; i <= n/3; i++ {
		if !wait() {
			return
		}
		c.recorder.Event(site, corev1.EventTypeNormal, "Resynced", "Website resynced after failed probes")
	}
	for _, ns := range strings.Split(elsewhere, ",") {
		if ns = strings.TrimSpace(ns); ns == "" || !wait() {
			continue
		}
		ref := &corev1.ObjectReference{Kind: websiteKind.Kind, APIVersion: websiteKind.GroupVersion().String(), Namespace: ns, Name: site.GetName()}
		c.recorder.Eventf(ref, corev1.EventTypeWarning, "MirrorFailed", "Could not mirror the status of %s/%s into namespace %s", site.GetNamespace(), site.GetName(), ns)
	}
	klog.InfoS("event storm done", "website", klog.KObj(site), "attempts", n+n/3)
}
