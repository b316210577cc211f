export interface Product {
  id: number;
  sku: string;
  name: string;
  category: string | null;
  /** WebP, longest side 256 px. */
  thumbnail: Uint8Array;
  imageWidth: number;
  imageHeight: number;
  createdAt: Date;
  /** The active model version's prediction; null until a head is trained. */
  predictedCategory: string | null;
}

export interface NewProduct {
  sku: string;
  name: string;
  category: string | null;
  thumbnail: Uint8Array;
  imageWidth: number;
  imageHeight: number;
  /** ResNet50 `avg_pool` output, 2048 floats. */
  features: Float32Array;
}

export interface Neighbour {
  product: Product;
  /** Plain (not squared) Euclidean distance in the space that ranked it. */
  distance: number;
}

/** Where the service serves a product's thumbnail bytes (src/http/thumbnail.route.ts). */
export function thumbnailPath(id: number): string {
  return `/products/${id}/thumbnail.webp`;
}
