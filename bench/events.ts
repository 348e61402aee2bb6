/** The recorded events every part of the bench uses: kubelet-like core/v1 Events, 50 namespaces, 997 pods. */
export function eventJson(i: number, rv: number): string {
  const ns = `ns-${i % 50}`;
  const t = new Date(Date.UTC(2026, 10, 26, 10, 0, 0) + i * 10).toISOString();
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `pod-${i % 997}.${(1e15 + i).toString(16)}`, namespace: ns, uid: `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`, resourceVersion: String(rv), creationTimestamp: t },
    involvedObject: { kind: 'Pod', namespace: ns, name: `pod-${i % 997}`, uid: `10000000-0000-4000-8000-${(i % 997).toString().padStart(12, '0')}`, apiVersion: 'v1', resourceVersion: '1', fieldPath: 'spec.containers{app}' },
    reason: i % 10 === 0 ? 'BackOff' : 'Pulled',
    message: i % 10 === 0 ? `Back-off restarting failed container app in pod pod-${i % 997}` : `Successfully pulled image "registry.local/app:${i % 13}" in 1.2s`,
    source: { component: 'kubelet', host: `node-${i % 7}` },
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1 + (i % 5),
    type: i % 10 === 0 ? 'Warning' : 'Normal',
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: `node-${i % 7}`,
  });
}
