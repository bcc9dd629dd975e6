/**
 * Window assignment shared by the batch executor and the incremental operators, so both give
 * every row the same windows. Times are µs since 1970-01-01 (the timestamp representation);
 * windows are aligned to 1970-01-01 00:00 plus `offset`.
 *
 *   hopStarts(12:07, slide 5 min, size 10 min)  -> [12:00, 12:05]   (windows [12:00,12:10), [12:05,12:15))
 *   tumble = hop with slide = size               -> one window
 *   sessions([1, 2, 9], gap 5)                    -> [1, 7) for 1 and 2, [9, 14) for 9
 */

/** Start of the latest window (grid of `slide` from `offset`) that starts at or before t. */
function lastStart(t: number, slide: number, offset: number): number {
  return offset + Math.floor((t - offset) / slide) * slide;
}

/** Starts of the windows [s, s + size) that contain t, ascending. */
export function hopStarts(t: number, slide: number, size: number, offset: number): number[] {
  const out: number[] = [];
  for (let s = lastStart(t, slide, offset); s + size > t; s -= slide) out.push(s);
  return out.reverse();
}

/**
 * The watermark of window_start given the watermark W of the time column: the earliest start of
 * any window a row at or after W can fall into. Every window with a smaller start is final.
 */
export function hopStartWatermark(w: number, slide: number, size: number, offset: number): number {
  if (!Number.isFinite(w)) return w;
  let s = lastStart(w, slide, offset);
  while (s - slide + size > w) s -= slide;
  // With gaps between windows (size < slide) the window starting at s may end before w.
  if (s + size <= w) s += slide;
  return s;
}

/**
 * Session windows over one partition's times (ascending): each time's [start, end), where a
 * session is a maximal run of times less than `gap` apart, start = its first time and end = its
 * last time + gap. Returns parallel arrays.
 */
export function sessions(sortedTimes: readonly number[], gap: number): { start: number[]; end: number[] } {
  const n = sortedTimes.length;
  const start = new Array<number>(n);
  const end = new Array<number>(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && sortedTimes[j + 1] < sortedTimes[j] + gap) j++;
    const s = sortedTimes[i];
    const e = sortedTimes[j] + gap;
    for (let k = i; k <= j; k++) {
      start[k] = s;
      end[k] = e;
    }
    i = j + 1;
  }
  return { start, end };
}
