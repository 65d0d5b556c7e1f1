import { type Dispatcher } from 'undici';
import { type FetchPartOutcome, type FetchPartRequest, fetchPart } from '../../../src/core/download/fetchPart';
import { type PartState } from '../../../src/core/download/partPlan';

/** fetchPart for a whole body as one part (no Range), with the test's own writer and whatever else it sets. */
export function fetchWholeBody(
  target: { dispatcher: Dispatcher; url: string; size: number },
  part: PartState,
  options: Pick<FetchPartRequest, 'write' | 'commit'> & Partial<FetchPartRequest>,
): Promise<FetchPartOutcome> {
  return fetchPart({
    ...target,
    headers: {},
    part,
    wantRange: false,
    stallTimeoutMs: 10_000,
    signal: new AbortController().signal,
    onResponse: () => undefined,
    ...options,
  });
}
