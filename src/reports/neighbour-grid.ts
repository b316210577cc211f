import type { TopLevelSpec } from 'vega-lite';
import { captionLines } from './caption-lines.js';
import { RASTER_SCALE, svgToPng } from './svg-to-png.js';
import { thumbnailDataUrl } from './thumbnail.js';
import { vegaLiteSvg } from './vega-lite-svg.js';

export interface GridRow {
  /** `caption` e.g. 'Ankle boot (pred. Sneaker)'. */
  query: { image: Uint8Array; caption: string };
  /** Nearest first; `caption` is the category, `match` whether it is the query's category. */
  neighbours: { image: Uint8Array; caption: string; distance: number; match: boolean }[];
}

export interface NeighbourGridOptions {
  title?: string;
  /** Side of each image in SVG units (pixels at scale 1). */
  cellSize?: number;
}

const FONT_SIZE = 11;
const LINE_HEIGHT = 14;
const COLUMN_GAP = 16;
const ROW_GAP = 14;
const FRAME_WIDTH = 3;
const QUERY_CAPTION_LINES = 3;
const CATEGORY_LINES = 2;

const KINDS = {
  query: { label: 'query', colour: '#1565c0' },
  match: { label: '✓ same category', colour: '#2e7d32' },
  mismatch: { label: '✗ other category', colour: '#c62828' },
};
type Kind = (typeof KINDS)[keyof typeof KINDS];

interface Cell {
  row: number;
  col: number;
  url: string;
  kind: string;
  colour: string;
  caption: string[];
  distance: string;
  distanceY: number;
}

const captionTop = (size: number) => size + FRAME_WIDTH + 4;

async function cells(rows: GridRow[], size: number): Promise<Cell[]> {
  // Captions may spill into half the gap, a quarter on each side, and so never reach the next column's.
  const wrap = (text: string, lines: number) => captionLines(text, size + COLUMN_GAP / 2, FONT_SIZE, lines);
  const cell = async (row: number, col: number, image: Uint8Array, kind: Kind, caption: string[], distance = '') => ({
    row,
    col,
    url: await thumbnailDataUrl(image, size * RASTER_SCALE),
    kind: kind.label,
    colour: kind.colour,
    caption,
    distance,
    distanceY: captionTop(size) + caption.length * LINE_HEIGHT,
  });
  return Promise.all(
    rows.flatMap((row, r) => [
      cell(r, 0, row.query.image, KINDS.query, wrap(row.query.caption, QUERY_CAPTION_LINES)),
      ...row.neighbours.map((n, i) =>
        cell(
          r,
          i + 1,
          n.image,
          n.match ? KINDS.match : KINDS.mismatch,
          // A no-break space keeps the mark on the category's first line.
          wrap(`${n.match ? '✓' : '✗'}\u00a0${n.caption}`, CATEGORY_LINES),
          `d = ${n.distance.toFixed(2)}`,
        ),
      ),
    ]),
  );
}

/** Each query image beside its recommendations, framed and captioned by whether they share its category. */
export async function neighbourGridSvg(rows: GridRow[], options: NeighbourGridOptions = {}): Promise<string> {
  if (rows.length === 0) throw new RangeError('a neighbour grid needs at least one row');
  const { title, cellSize: size = 96 } = options;
  const values = await cells(rows, size);
  const captionHeight = Math.max(...values.map((c) => c.distanceY + (c.distance ? LINE_HEIGHT : 0))) - size;
  const text = {
    type: 'text',
    align: 'center',
    baseline: 'top',
    fontSize: FONT_SIZE,
    lineHeight: LINE_HEIGHT,
  } as const;
  const spec: TopLevelSpec = {
    ...(title && { title }),
    data: { values },
    // Lay out by the sizes given rather than by Vega's rough text widths, which would spread the columns apart.
    bounds: 'flush',
    spacing: { row: ROW_GAP, column: COLUMN_GAP },
    facet: {
      row: { field: 'row', type: 'ordinal', header: null },
      column: {
        field: 'col',
        type: 'ordinal',
        header: { title: null, labelFontSize: 12, labelExpr: "datum.value == 0 ? 'Query' : '#' + datum.value" },
      },
    },
    spec: {
      width: size,
      height: size + captionHeight,
      layer: [
        {
          mark: { type: 'image', width: size, height: size, align: 'left', baseline: 'top' },
          encoding: { url: { field: 'url', type: 'nominal' }, x: { value: 0 }, y: { value: 0 } },
        },
        {
          // Drawn just outside the image so that the frame hides none of its pixels.
          mark: { type: 'rect', filled: false, strokeWidth: FRAME_WIDTH },
          encoding: {
            x: { value: -FRAME_WIDTH / 2 },
            y: { value: -FRAME_WIDTH / 2 },
            x2: { value: size + FRAME_WIDTH / 2 },
            y2: { value: size + FRAME_WIDTH / 2 },
            stroke: {
              field: 'kind',
              type: 'nominal',
              title: null,
              scale: {
                domain: Object.values(KINDS).map((k) => k.label),
                range: Object.values(KINDS).map((k) => k.colour),
              },
              legend: {
                orient: 'top',
                symbolType: 'square',
                symbolStrokeWidth: FRAME_WIDTH,
                labelFontSize: 12,
                labelLimit: 0,
              },
            },
          },
        },
        {
          mark: { ...text, y: captionTop(size) },
          encoding: {
            text: { field: 'caption' },
            x: { value: size / 2 },
            // The frames' legend covers the captions too.
            color: { field: 'colour', type: 'nominal', scale: null },
          },
        },
        {
          mark: { ...text, color: '#555555' },
          encoding: {
            text: { field: 'distance' },
            x: { value: size / 2 },
            y: { field: 'distanceY', type: 'quantitative', scale: null },
          },
        },
      ],
    },
    // ARIA labels would repeat each image's data URL, doubling the document.
    config: { aria: false, view: { stroke: null } },
  };
  return vegaLiteSvg(spec);
}

export async function neighbourGridPng(rows: GridRow[], options?: NeighbourGridOptions): Promise<Uint8Array> {
  return svgToPng(await neighbourGridSvg(rows, options));
}
