/**
 * Resolves once every promise in `work` has settled (fulfilled or rejected) or `timeoutMs` has passed,
 * whichever comes first; never rejects. For shutdown steps that must not hang on a stuck dependency.
 */
export function settleWithin(work: Array<Promise<unknown> | undefined>, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Not unref'd: an awaited shutdown must resolve even if nothing else keeps the event loop alive,
    // and the timer keeps it alive for at most `timeoutMs`.
    const timer = setTimeout(resolve, timeoutMs);
    Promise.allSettled(work).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
