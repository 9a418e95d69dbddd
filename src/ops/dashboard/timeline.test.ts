import { describe, expect, it } from 'vitest';
import { breakerEvent, ejectionEvent } from '../test-events.js';
import { alertEntry, breakerEntry, DEFAULT_TIMELINE_SIZE, ejectionEntry, Timeline } from './timeline.js';

describe('dashboard timeline', () => {
  it('keeps the newest entries, oldest first', () => {
    expect(DEFAULT_TIMELINE_SIZE).toBe(200);
    const timeline = new Timeline(3);
    for (let i = 1; i <= 5; i++) timeline.add({ at: i, kind: 'admin', subject: 's', text: `#${i}`, severity: 'info' });
    expect(timeline.list().map((e) => e.text)).toEqual(['#3', '#4', '#5']);
    timeline.clear();
    expect(timeline.list()).toEqual([]);
  });

  it('describes breaker, ejection and alert events with a severity', () => {
    expect(breakerEntry(breakerEvent(1, 'p', 'open'))).toMatchObject({ kind: 'breaker', subject: 'p', severity: 'critical', text: 'breaker closed → open (test)' });
    expect(breakerEntry(breakerEvent(1, 'p', 'half-open')).severity).toBe('warning');
    expect(breakerEntry(breakerEvent(1, 'p', 'closed')).severity).toBe('info');
    expect(ejectionEntry(ejectionEvent(1, 'p', true))).toMatchObject({ severity: 'warning', text: 'ejected from gpt4 for 30 s' });
    expect(ejectionEntry(ejectionEvent(1, 'p', false)).text).toBe('re-admitted to gpt4');
    const base = { id: 'error_rate:route/gpt-4', rule: 'error_rate', subject: 'route/gpt-4', severity: 'critical', repeat: false, summary: 'error rate 9%', labels: {}, startsAt: '2026-01-01T00:00:00.000Z', at: '2026-01-01T00:00:05.000Z' } as const;
    expect(alertEntry({ ...base, state: 'firing' })).toMatchObject({ at: Date.UTC(2026, 0, 1, 0, 0, 5), severity: 'critical', text: 'firing: error rate 9%' });
    expect(alertEntry({ ...base, state: 'resolved' })).toMatchObject({ severity: 'info', text: 'resolved: error rate 9%' });
  });
});
