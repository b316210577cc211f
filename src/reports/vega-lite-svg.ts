import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Named rather than left to `sans-serif` so that pictures look the same on every machine;
 * Debian's fonts-dejavu-core provides it.
 */
const CHART_FONT = 'DejaVu Sans';

/** Renders a Vega-Lite spec headless (no canvas, no browser) to an SVG document. */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const config = { font: CHART_FONT, ...spec.config };
  const view = new vega.View(vega.parse(compile({ ...spec, config }).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
