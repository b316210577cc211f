import type { Attributes } from './attributes.js';

export interface Product {
  id: number;
  sku: string;
  name: string;
  category: string | null;
  /** The store's own fields (attributes.ts). */
  attributes: Attributes;
  /** Without its thumbnail, which CatalogService.getThumbnail reads when asked. */
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
  /** None when left out. */
  attributes?: Attributes | undefined;
  thumbnail: Uint8Array;
  imageWidth: number;
  imageHeight: number;
  /** ResNet50 `avg_pool` output, 2048 floats. */
  features: Float32Array;
  /** Where the image came from (ImageOrigin); unknown when left out. */
  imageSha256?: string | null | undefined;
  imageUrl?: string | null | undefined;
}

/**
 * What a product's image was stored from: what a feed run again compares to
 * tell a changed image without analysing it. Null for products stored before
 * it was kept.
 */
export interface ImageOrigin {
  /** Hex SHA-256 of the image file analysed (a link's fetched bytes too). */
  sha256: string | null;
  /** The link the image was fetched from; null when its file was sent. */
  url: string | null;
}

/** A product as training and evaluation see it: its label and its ResNet50 features. */
export interface ProductFeatures {
  id: number;
  category: string | null;
  features: Float32Array;
}

/** A category as stored and how many products hold it. */
export interface CategoryCount {
  name: string;
  productCount: number;
}

/** One page of the catalog in id order. */
export interface ProductPage {
  products: Product[];
  hasNextPage: boolean;
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
