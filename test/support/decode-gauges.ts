/** The image decode gauges of a running service's /metrics. */
export async function decodeGauges(url: string): Promise<{ running: number; waiting: number }> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const gauge = (name: string) => {
    const value = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1];
    if (value === undefined) throw new Error(`/metrics has no ${name}`);
    return Number(value);
  };
  return { running: gauge('lookalike_image_decodes_running'), waiting: gauge('lookalike_image_decodes_waiting') };
}

/** Polls the gauges until `done` holds, or throws after `ms`. */
export async function untilGauges(url: string, done: (gauges: { running: number; waiting: number }) => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (let gauges = await decodeGauges(url); !done(gauges); gauges = await decodeGauges(url)) {
    if (Date.now() > deadline) throw new Error(`decode gauges still ${JSON.stringify(gauges)} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
