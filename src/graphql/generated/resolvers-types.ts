import type { AttributeScalar } from '../../domain/attribute-condition.js';
import type { Attributes } from '../../domain/attributes.js';
import type { UploadedFile } from '../upload.js';
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Product as ProductModel, ProductPage as ProductPageModel } from '../../domain/product.js';
import type { Similarity as SimilarityModel } from '../../catalog/similarity.service.js';
import type { NearDuplicatePage as NearDuplicatePageModel, ProductPair as ProductPairModel } from '../../catalog/near-duplicates.js';
import type { ServiceInfoSource as ServiceInfoSourceModel, GraphQLContext } from '../context.js';
import type { TrainingRun as TrainingRunModel } from '../../domain/training-run.js';
import type { ModelVersionSummary as ModelVersionSummaryModel } from '../../domain/model-version.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A string, a finite number or a boolean: what an attribute condition compares with. */
  AttributeValue: { input: AttributeScalar; output: AttributeScalar; }
  /**
   * A store's own fields of a product, as a JSON object: keys of 1 to 64 letters,
   * digits and _ - . : (not starting with - . : or __), at most 64 of them; values are
   * strings (up to 1,024 characters), finite numbers, booleans, or lists of up to
   * 100 strings (each up to 256 characters); at most 16 KiB as JSON. price,
   * brand, inStock, color, sizes and url are the everyday ones; none is special
   * to the service. Returned as given (JSON objects have no key order).
   */
  Attributes: { input: Attributes; output: Attributes; }
  /** A JSON object: here, a merge patch whose null values remove attributes. */
  JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }
  /**
   * An image file sent as a part of a multipart/form-data request, as the GraphQL
   * multipart request spec says: an `operations` field (the JSON body, with this
   * variable null), a `map` field (which file part fills which variable, as
   * `{ "0": ["variables.input.imageFile"] }`), then the files. The request needs
   * the `Apollo-Require-Preflight: true` header (CSRF prevention). The parts arrive
   * streamed and counted, each within MAX_IMAGE_BYTES, so batches of large images
   * need not fit in a JSON body; only a variable can be an Upload.
   */
  Upload: { input: UploadedFile; output: UploadedFile; }
};

export type ActivateModelVersionPayload = {
  __typename?: 'ActivateModelVersionPayload';
  /** The version now active. */
  modelVersion: ModelVersion;
};

export type AddProductInput = {
  /** The store's own fields (see Attributes): none when left out. */
  attributes?: InputMaybe<Scalars['Attributes']['input']>;
  /**
   * The product's category; products with one are what a trained head learns from.
   * Stored normalized (NFC, zero-width characters removed, whitespace collapsed and
   * trimmed) and matched ignoring case: a category the catalog has already keeps
   * the spelling it was first stored with.
   */
  category?: InputMaybe<Scalars['String']['input']>;
  /** The product image as base64 or a base64 data URL. Exactly one of image, imageFile and imageUrl. */
  image?: InputMaybe<Scalars['String']['input']>;
  /** The product image as a file part of a multipart request (see Upload): the way to send batches of large images. Exactly one of image, imageFile and imageUrl. */
  imageFile?: InputMaybe<Scalars['Upload']['input']>;
  /**
   * The product image as an http or https link (at most 2,048 characters) that the service fetches: at most 3
   * redirects, a Content-Type of image/*, at most MAX_IMAGE_BYTES, within IMAGE_FETCH_TIMEOUT_MS. A link whose
   * host is, or resolves to, a loopback, private, link-local, unique-local or cloud-metadata address, on any hop,
   * is IMAGE_URL_FORBIDDEN (with reason and addressClass) unless its host is in IMAGE_URL_ALLOWED_HOSTS; a fetch
   * that fails is IMAGE_FETCH_FAILED with the HTTP status or the reason (timeout, too large, not an image, too many
   * redirects, connection refused...). Fetches beyond the request's share of the service's connections or memory
   * answer TOO_BUSY. Exactly one of image, imageFile and imageUrl.
   */
  imageUrl?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  /**
   * The storefront's own identifier, unique in the catalog: 1 to 128 characters,
   * stored normalized as a category is (case kept).
   */
  sku: Scalars['String']['input'];
};

export type AddProductPayload = {
  __typename?: 'AddProductPayload';
  product: Product;
};

export type AddProductsPayload = {
  __typename?: 'AddProductsPayload';
  products: Array<Product>;
};

/**
 * A rule on one attribute; every part given must hold, and at least one must be
 * given. Numbers compare as numbers and strings exactly (a number given as a
 * string is a string, "12" is not 12); a list-valued attribute passes eq and in
 * when it contains the value. A product without the key fails every part but
 * exists: false.
 */
export type AttributeCondition = {
  /** Equal to this string, number or boolean (or, for a list, containing it). */
  eq?: InputMaybe<Scalars['AttributeValue']['input']>;
  /** The product has the key (true) or lacks it (false). */
  exists?: InputMaybe<Scalars['Boolean']['input']>;
  /** A number at least this. */
  gte?: InputMaybe<Scalars['Float']['input']>;
  /** Equal to one of these (at most 100), or for a list, containing one. */
  in?: InputMaybe<Array<Scalars['AttributeValue']['input']>>;
  /** The attribute's key. */
  key: Scalars['String']['input'];
  /** A number at most this. */
  lte?: InputMaybe<Scalars['Float']['input']>;
};

/** One attribute key of the catalog, for a storefront's filters. */
export type AttributeFacet = {
  __typename?: 'AttributeFacet';
  /** STRING: how many distinct strings the key holds; 0 for other kinds. */
  distinctValues: Scalars['Int']['output'];
  key: Scalars['String']['output'];
  kind: AttributeKind;
  /** NUMBER: the largest value; null for other kinds. */
  max?: Maybe<Scalars['Float']['output']>;
  /** NUMBER: the smallest value; null for other kinds. */
  min?: Maybe<Scalars['Float']['output']>;
  /** Products that have the key. */
  productCount: Scalars['Int']['output'];
  /** STRING: the 30 most common strings, most products first, then by value; empty for other kinds. */
  values: Array<AttributeValueCount>;
};

/** The type every value of an attribute key has. */
export type AttributeKind =
  | 'BOOLEAN'
  | 'NUMBER'
  /** Strings, or lists of strings (each string counts as a value). */
  | 'STRING';

/** A string an attribute holds, and how many products hold it. */
export type AttributeValueCount = {
  __typename?: 'AttributeValueCount';
  productCount: Scalars['Int']['output'];
  value: Scalars['String']['output'];
};

export type CacheControlScope =
  /** Only the requester's own browser may keep it: never a CDN or a proxy. */
  | 'PRIVATE'
  | 'PUBLIC';

/** A category of the catalog, as stored (the first spelling met), and its products. */
export type CategoryCount = {
  __typename?: 'CategoryCount';
  name: Scalars['String']['output'];
  productCount: Scalars['Int']['output'];
};

export type ClassWeight =
  /** n / (classes * count(class)), as scikit-learn's 'balanced'. */
  | 'BALANCED'
  /** Every sample counts the same. */
  | 'NONE';

export type DeleteProductPayload = {
  __typename?: 'DeleteProductPayload';
  /** The id of the product that was removed. */
  id: Scalars['ID']['output'];
};

export type DistanceMetric =
  /** Plain Euclidean distance (not squared), pgvector's <->. */
  | 'L2';

/** How a model version turns the head's 512-d mid-layer outputs into embeddings. */
export type EmbeddingNormalization =
  /** The method's: a StandardScaler fitted over the catalog's outputs. */
  | 'STANDARDIZE'
  /** Each output divided by its Euclidean length, so that distances rank neighbours by cosine similarity; a row of zeros stays zeros. */
  | 'UNIT_LENGTH';

/** The space in which distances were measured. */
export type EmbeddingSpace =
  /** The raw 2048-d ResNet50 avg_pool features: used until a head is trained. */
  | 'RESNET50_FEATURES'
  /** The standardized 512-d mid layer of the active trained head. */
  | 'TRAINED_HEAD';

export type EpochMetrics = {
  __typename?: 'EpochMetrics';
  accuracy: Scalars['Float']['output'];
  epoch: Scalars['Int']['output'];
  /** Class-weighted cross-entropy over the epoch's batches, dropout on. */
  loss: Scalars['Float']['output'];
  seconds: Scalars['Float']['output'];
  valAccuracy: Scalars['Float']['output'];
  valLoss: Scalars['Float']['output'];
};

/** A category a training run left out: its products keep their category, and the head does not learn it. */
export type ExcludedCategory = {
  __typename?: 'ExcludedCategory';
  category: Scalars['String']['output'];
  /** Its labelled products when the run started. */
  products: Scalars['Int']['output'];
};

/** What addProducts does with an input whose sku the catalog has already. A sku given twice in one batch is DUPLICATE_SKU whatever this says. */
export type ExistingSku =
  /** Refuse the whole batch with DUPLICATE_SKU. */
  | 'FAIL'
  /** Leave that product as it is (its image is not analysed) and list it in the payload as stored: re-running an import adds only what is missing. */
  | 'SKIP'
  /** Replace that product's name, category (none when the input has none) and image with the input's, keeping its id. */
  | 'UPDATE';

export type FeatureEngine =
  /** ONNX Runtime on the CPU. */
  | 'ONNX_RUNTIME'
  /** TensorFlow.js, on the service's tensorflowBackend. */
  | 'TENSORFLOW_JS';

export type Hyperparameters = {
  __typename?: 'Hyperparameters';
  batchSize: Scalars['Int']['output'];
  classWeight: ClassWeight;
  dropout: Scalars['Float']['output'];
  /** Null when every epoch is trained. */
  earlyStoppingPatience?: Maybe<Scalars['Int']['output']>;
  embeddingNormalization: EmbeddingNormalization;
  epochs: Scalars['Int']['output'];
  hiddenUnits: Scalars['Int']['output'];
  learningRate: Scalars['Float']['output'];
  midUnits: Scalars['Int']['output'];
  restoreBestWeights: Scalars['Boolean']['output'];
  seed: Scalars['Int']['output'];
  validationSplit: Scalars['Float']['output'];
};

/** A trained head with its scalers and its embeddings of the catalog. Never cached (no-store): versions come and go without a catalog write. */
export type ModelVersion = {
  __typename?: 'ModelVersion';
  /** When it was last switched on (ISO 8601); null if never. */
  activatedAt?: Maybe<Scalars['String']['output']>;
  /** Whether similarity queries are answered from this version now. */
  active: Scalars['Boolean']['output'];
  /** Category names in label order. */
  classes: Array<Scalars['String']['output']>;
  /** ISO 8601. */
  createdAt: Scalars['String']['output'];
  /** Catalog products with an embedding under this version. */
  embeddedProducts: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  /** The run's validation metrics: those of the epoch this version holds. */
  metrics: TrainingMetrics;
  /** The training run that made it. */
  trainingRun: TrainingRun;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Switches a kept model version on: a rollback or a roll forward. Atomic, as a
   * run's own switch: products added since the version was last active are
   * embedded under it first, in the same transaction, and every process answers
   * from it from its next query on. A version that is not kept (pruned, never
   * made, or its run still training) is MODEL_VERSION_NOT_FOUND. A run training
   * meanwhile is not stopped: when it succeeds its own version switches on.
   */
  activateModelVersion: ActivateModelVersionPayload;
  /** Adds one product; its image is analysed before it is stored. */
  addProduct: AddProductPayload;
  /**
   * Adds up to 256 products in one batch: all of them, or none when any input is
   * bad. The payload lists one product per input, in input order.
   */
  addProducts: AddProductsPayload;
  /** Removes a product and everything stored for it. */
  deleteProduct: DeleteProductPayload;
  /**
   * Starts training a categorical head on every product that has a category, in
   * the background; returns the queued run at once. Categories with too few
   * products are left out and listed on the run (excludedCategories). When it
   * succeeds its model version becomes active, with every catalog product
   * embedded. One run at a time.
   */
  trainModel: TrainModelPayload;
  /**
   * Changes a product's name, category or image; the fields left out keep their
   * value. A new image is analysed first, then its thumbnail, features and
   * embedding in the active model version replace the old ones in one
   * transaction: a bad image changes nothing. Every process's search sees the
   * change from its next query.
   */
  updateProduct: UpdateProductPayload;
};


export type MutationActivateModelVersionArgs = {
  id: Scalars['ID']['input'];
};


export type MutationAddProductArgs = {
  input: AddProductInput;
};


export type MutationAddProductsArgs = {
  inputs: Array<AddProductInput>;
  onExisting?: InputMaybe<ExistingSku>;
};


export type MutationDeleteProductArgs = {
  id: Scalars['ID']['input'];
};


export type MutationTrainModelArgs = {
  input?: InputMaybe<TrainModelInput>;
};


export type MutationUpdateProductArgs = {
  id: Scalars['ID']['input'];
  input: UpdateProductInput;
};

export type Neighbour = {
  __typename?: 'Neighbour';
  distance: Scalars['Float']['output'];
  product: Product;
  /** 1 for the nearest. */
  rank: Scalars['Int']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Product = {
  __typename?: 'Product';
  /** The store's own fields: {} when it gave none. */
  attributes: Scalars['Attributes']['output'];
  category?: Maybe<Scalars['String']['output']>;
  /** ISO 8601. */
  createdAt: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Height of the original image in pixels. */
  imageHeight: Scalars['Int']['output'];
  /** The SHA-256 (hex) of the image file analysed, a link's fetched bytes too; null for products stored before it was kept. */
  imageSha256?: Maybe<Scalars['String']['output']>;
  /** The link the image was fetched from (imageUrl); null when its file was sent. */
  imageUrl?: Maybe<Scalars['String']['output']>;
  /** Width of the original image in pixels. */
  imageWidth: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  /** The active model version's predicted category; null until a head is trained. */
  predictedCategory?: Maybe<Scalars['String']['output']>;
  sku: Scalars['String']['output'];
  /** A WebP thumbnail (longest side 256 px) as a data URL. An image: a query that asks for it is cacheable only privately (thumbnailUrl is public). */
  thumbnail: Scalars['String']['output'];
  /** The same thumbnail's address on this service, relative to its root: the WebP bytes, with an ETag, for <img> and browser caches. */
  thumbnailUrl: Scalars['String']['output'];
};

export type ProductConnection = {
  __typename?: 'ProductConnection';
  edges: Array<ProductEdge>;
  pageInfo: PageInfo;
  /** Products in the whole catalog (all categories). */
  totalCount: Scalars['Int']['output'];
};

export type ProductEdge = {
  __typename?: 'ProductEdge';
  cursor: Scalars['String']['output'];
  node: Product;
};

/** Two catalog products within a nearDuplicates bound; a has the smaller id. */
export type ProductPair = {
  __typename?: 'ProductPair';
  a: Product;
  b: Product;
  /** L2 distance in the page's space. */
  distance: Scalars['Float']['output'];
};

/** One page of nearDuplicates. */
export type ProductPairConnection = {
  __typename?: 'ProductPairConnection';
  edges: Array<ProductPairEdge>;
  /** The trained model version that answered, null in RESNET50_FEATURES. */
  modelVersion?: Maybe<Scalars['ID']['output']>;
  /** endCursor is where the next page starts: past the last product scanned when the scan stopped before the page filled. */
  pageInfo: PageInfo;
  /** Products this page searched from, at least 1 unless the catalog had none left. */
  scannedProducts: Scalars['Int']['output'];
  /**
   * The last product this page searched from, null when it searched from none.
   * Every pair whose a is an earlier product is on this page or an earlier one;
   * so is every pair of this one, unless stoppedBy is PAGE_FULL.
   */
  scannedThrough?: Maybe<Scalars['ID']['output']>;
  /** The space the distances were measured in, read once per page. */
  space: EmbeddingSpace;
  stoppedBy: ScanStop;
};

export type ProductPairEdge = {
  __typename?: 'ProductPairEdge';
  cursor: Scalars['String']['output'];
  node: ProductPair;
};

/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type Query = {
  __typename?: 'Query';
  /**
   * The catalog's attribute keys as a storefront narrows by them: one facet per
   * key, from every product. A key whose values are all booleans is BOOLEAN,
   * all numbers NUMBER (with its range), all strings or lists of strings STRING
   * (with its most common values); a key of mixed types is left out. At most
   * 100 keys, those most products have first, then by key. Counted
   * afresh at most every 10 seconds, so counts may lag writes by that much.
   * Costs as much as ten searches: it reads every product's attributes. Never
   * cached (no-store): the count it answers may be older than the catalog.
   */
  attributeFacets: Array<AttributeFacet>;
  /**
   * The catalog's categories with how many products each holds, most products
   * first, then by name; products without a category are not counted. Costs
   * first times the fields selected.
   */
  categories: Array<CategoryCount>;
  /** Kept model versions, newest first: the active one and the newest KEEP_MODEL_VERSIONS others whose run succeeded. */
  modelVersions: Array<ModelVersion>;
  /**
   * Pairs of catalog products at maxDistance or closer (the bound included), as
   * pgvector computes a.embedding <-> b.embedding in the active space: the same
   * photo under two skus is at 0. Exact, each pair once (a.id < b.id), in
   * (a.id, b.id) order. A page scans products in id order (one exact search
   * each) until it holds first pairs, the catalog ends, 250 ms have passed
   * (NEAR_DUPLICATES_SCAN_MS) or it has scanned 240 products, whichever comes
   * first: stoppedBy says which. A page with a next page may hold fewer than
   * first pairs, or none only when its time or its 240 products ran out. A product with more than 100 others within maxDistance makes the
   * request BAD_USER_INPUT (give a smaller maxDistance). Costs 1, plus 10 for
   * each of the 240 searches a page may run, plus first times the fields it
   * selects.
   */
  nearDuplicates: ProductPairConnection;
  /** One product by id, or null when there is none. */
  product?: Maybe<Product>;
  /** The product with this sku (normalized as when stored), or null when there is none. */
  productBySku?: Maybe<Product>;
  /** The catalog in id order, optionally one category, with cursor pagination. */
  products: ProductConnection;
  /**
   * "More like these, less like those": the k products nearest to one query
   * vector made from catalog products, in the active space (the one similarProducts
   * uses). With positives p1..pn and negatives m1..mj, the query is
   * mean(p) + (mean(p) - mean(m)), or mean(p) alone without negatives (Qdrant's
   * average_vector strategy), computed in double and rounded to float32. The
   * examples themselves are never in the answer. Each example adds 1 to the
   * query's cost.
   */
  recommend: Similarity;
  /** What this service runs on and what answers similarity queries. */
  service: ServiceInfo;
  /**
   * The k products most similar to a catalog product, the product itself
   * excluded; with a filter or maxDistance, the k nearest of those that pass.
   */
  similarProducts: Similarity;
  /** The k catalog products most similar to an image that is not in the catalog. Never cached (no-store): it carries an image. */
  similarToImage: Similarity;
  /** One training run by id, or null when there is none. */
  trainingRun?: Maybe<TrainingRun>;
  /** Training runs, newest first. */
  trainingRuns: Array<TrainingRun>;
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryCategoriesArgs = {
  first?: Scalars['Int']['input'];
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryModelVersionsArgs = {
  first?: Scalars['Int']['input'];
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryNearDuplicatesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
  maxDistance: Scalars['Float']['input'];
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryProductArgs = {
  id: Scalars['ID']['input'];
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryProductBySkuArgs = {
  sku: Scalars['String']['input'];
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
  where?: InputMaybe<Array<AttributeCondition>>;
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryRecommendArgs = {
  filter?: InputMaybe<SimilarityFilter>;
  k?: Scalars['Int']['input'];
  maxDistance?: InputMaybe<Scalars['Float']['input']>;
  negative?: InputMaybe<Array<Scalars['ID']['input']>>;
  positive: Array<Scalars['ID']['input']>;
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QuerySimilarProductsArgs = {
  filter?: InputMaybe<SimilarityFilter>;
  id: Scalars['ID']['input'];
  k?: Scalars['Int']['input'];
  maxDistance?: InputMaybe<Scalars['Float']['input']>;
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QuerySimilarToImageArgs = {
  filter?: InputMaybe<SimilarityFilter>;
  image?: InputMaybe<Scalars['String']['input']>;
  imageFile?: InputMaybe<Scalars['Upload']['input']>;
  imageUrl?: InputMaybe<Scalars['String']['input']>;
  k?: Scalars['Int']['input'];
  maxDistance?: InputMaybe<Scalars['Float']['input']>;
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryTrainingRunArgs = {
  id: Scalars['ID']['input'];
};


/**
 * lookalike: product recommendations by image similarity.
 * Every product image goes through ResNet50 (ImageNet weights); neighbours are
 * ranked by exact Euclidean (L2) distance in pgvector.
 */
export type QueryTrainingRunsArgs = {
  first?: Scalars['Int']['input'];
};

/**
 * Why a page of nearDuplicates stopped scanning. Only CATALOG_END has no next
 * page; only PAGE_FULL is sure to hold first pairs; a page with a next page is
 * empty only when its time ran out (TIME_BUDGET).
 */
export type ScanStop =
  /** No product is left to scan: hasNextPage is false. A page that holds no pair and stopped here is the last, and no pair remains. */
  | 'CATALOG_END'
  /** It holds first pairs. */
  | 'PAGE_FULL'
  /** It holds a pair and scanned the 240 products its cost is reckoned by. A page with no pair yet scans on until it finds one, the catalog ends, or its time runs out. */
  | 'PRODUCT_LIMIT'
  /** NEAR_DUPLICATES_SCAN_MS (250 ms by default) passed: the next page scans on after scannedThrough. */
  | 'TIME_BUDGET';

export type ServiceInfo = {
  __typename?: 'ServiceInfo';
  /**
   * onnx when ResNet50 runs on ONNX Runtime, else the TensorFlow.js backend.
   * @deprecated Mixed two things; read featureEngine and tensorflowBackend.
   */
  backend: Scalars['String']['output'];
  catalogSize: Scalars['Int']['output'];
  /** pglite (embedded) or postgres. */
  database: Scalars['String']['output'];
  /** The space similarity queries are answered in now. */
  embeddingSpace: EmbeddingSpace;
  /** What runs ResNet50. */
  featureEngine: FeatureEngine;
  /** Parallel ResNet50 workers. */
  featureWorkers: Scalars['Int']['output'];
  /** The active trained model version, null until one is trained. */
  modelVersion?: Maybe<Scalars['ID']['output']>;
  /** The TensorFlow.js backend the categorical head runs on, and ResNet50 too on TENSORFLOW_JS: tensorflow (native), wasm or cpu. */
  tensorflowBackend: Scalars['String']['output'];
  /**
   * Whether this request may run mutations: it bears the admin token in its
   * Authorization header, or writes need none. Checks a token without writing.
   * Never cached (no-store): it answers the request's own token.
   */
  tokenAccepted: Scalars['Boolean']['output'];
  /**
   * Whether mutations need the admin token: false only when ADMIN_TOKEN is unset
   * and the service listens on loopback, where every caller may write.
   */
  writesNeedToken: Scalars['Boolean']['output'];
};

export type Similarity = {
  __typename?: 'Similarity';
  metric: DistanceMetric;
  /** The trained model version that answered, null in RESNET50_FEATURES. */
  modelVersion?: Maybe<Scalars['ID']['output']>;
  /** Nearest first; equal distances in id order. */
  neighbours: Array<Neighbour>;
  /** similarToImage only: the active model version's predicted category for the image; null in RESNET50_FEATURES and for similarProducts (see the product's own predictedCategory). */
  predictedCategory?: Maybe<Scalars['String']['output']>;
  space: EmbeddingSpace;
};

/**
 * Restricts the neighbours of a similarity query; every condition given must
 * hold. The answer is the k nearest of the products that pass, exactly as
 * pgvector ranks them with the same conditions in its WHERE clause. Each entry
 * of these lists adds 1 to the query's cost.
 */
export type SimilarityFilter = {
  /**
   * Only products of one of these categories (at most 100), matched as
   * categories are stored: normalized, ignoring case. Products without a
   * category are left out. Omit for any category; an empty list admits no product.
   */
  categories?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Leaves out products of these categories (at most 100), matched the same way; products without a category stay. */
  excludeCategories?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Leaves out these products (at most 1000 ids); ids the catalog does not have change nothing. */
  excludeIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /**
   * The store's rules on attributes (at most 20): only products that pass every
   * one may be neighbours. The answer is still exact: the k nearest of the
   * products that pass, never a top k filtered afterwards.
   */
  where?: InputMaybe<Array<AttributeCondition>>;
};

/** Every field is optional; the defaults are the method's. */
export type TrainModelInput = {
  /** Default 64. */
  batchSize?: InputMaybe<Scalars['Int']['input']>;
  /** Default BALANCED. */
  classWeight?: InputMaybe<ClassWeight>;
  /** Dropout after the 1024 and the 512 layers; default 0.7. */
  dropout?: InputMaybe<Scalars['Float']['input']>;
  /** Stop once this many epochs in a row have not lowered the validation loss (as Keras's EarlyStopping on val_loss), 1 to 1000; default none: every epoch is trained, as the method does. */
  earlyStoppingPatience?: InputMaybe<Scalars['Int']['input']>;
  /** How the run's model version turns the head's mid-layer outputs into the embeddings it searches; default STANDARDIZE, as the method does. */
  embeddingNormalization?: InputMaybe<EmbeddingNormalization>;
  /** Default 32. */
  epochs?: InputMaybe<Scalars['Int']['input']>;
  /** Width of the first hidden layer; default 1024. The mid layer is always 512. */
  hiddenUnits?: InputMaybe<Scalars['Int']['input']>;
  /** Adam's learning rate; default 0.0004. */
  learningRate?: InputMaybe<Scalars['Float']['input']>;
  /** Keep the weights of the epoch with the lowest validation loss (the first of equals) instead of the last epoch's; default false, as the method does. */
  restoreBestWeights?: InputMaybe<Scalars['Boolean']['input']>;
  /** Seeds the split, the initial weights, the shuffling and dropout; default 42. */
  seed?: InputMaybe<Scalars['Int']['input']>;
  /** Share of the labelled products held out for validation; default 0.2. */
  validationSplit?: InputMaybe<Scalars['Float']['input']>;
};

export type TrainModelPayload = {
  __typename?: 'TrainModelPayload';
  trainingRun: TrainingRun;
};

export type TrainingMetrics = {
  __typename?: 'TrainingMetrics';
  /** Catalog products embedded into the new model version. */
  embeddedProducts: Scalars['Int']['output'];
  embeddingSeconds: Scalars['Float']['output'];
  /** The epoch whose weights the model version holds: the last one trained, or with restoreBestWeights the one with the lowest validation loss. */
  keptEpoch: Scalars['Int']['output'];
  /** Whether earlyStoppingPatience ended the run before its planned epochs. */
  stoppedEarly: Scalars['Boolean']['output'];
  trainingSeconds: Scalars['Float']['output'];
  /** The kept epoch's validation accuracy. */
  valAccuracy: Scalars['Float']['output'];
  /** The kept epoch's validation loss. */
  valLoss: Scalars['Float']['output'];
};

/** A training run. Never cached (no-store): it moves on without a catalog write. */
export type TrainingRun = {
  __typename?: 'TrainingRun';
  /** Category names in label order, known once the run starts. */
  classes?: Maybe<Array<Scalars['String']['output']>>;
  /** ISO 8601. */
  createdAt: Scalars['String']['output'];
  /** One entry per finished epoch. */
  epochs: Array<EpochMetrics>;
  /** Why the run failed. */
  error?: Maybe<Scalars['String']['output']>;
  /** Categories left out of the run for having fewer products than the minimum (MIN_CATEGORY_PRODUCTS), known once the run starts. */
  excludedCategories?: Maybe<Array<ExcludedCategory>>;
  finishedAt?: Maybe<Scalars['String']['output']>;
  hyperparameters: Hyperparameters;
  id: Scalars['ID']['output'];
  /** Set when the run has succeeded. */
  metrics?: Maybe<TrainingMetrics>;
  /** The model version this run produced, once it has succeeded; null again once the version is pruned (the active one and the newest KEEP_MODEL_VERSIONS others are kept). */
  modelVersion?: Maybe<Scalars['ID']['output']>;
  /** 0 to 1: finished epochs over planned epochs; 1 once it has succeeded. */
  progress: Scalars['Float']['output'];
  startedAt?: Maybe<Scalars['String']['output']>;
  status: TrainingStatus;
  trainingSamples?: Maybe<Scalars['Int']['output']>;
  validationSamples?: Maybe<Scalars['Int']['output']>;
};

export type TrainingStatus =
  | 'FAILED'
  | 'QUEUED'
  /** Training. A run whose process died stays RUNNING until its heartbeat is a minute old; the next start or trainModel then marks it FAILED. */
  | 'RUNNING'
  | 'SUCCEEDED';

/** Fields left out (or null) keep their value, but a null category removes the product's category. */
export type UpdateProductInput = {
  /** Replaces every attribute with these; the image is not analysed again. At most one of attributes and attributesPatch. */
  attributes?: InputMaybe<Scalars['Attributes']['input']>;
  /**
   * Changes some attributes, as a JSON merge patch (RFC 7396): a key with a
   * value sets it, a key with null removes it, keys left out keep theirs. The
   * image is not analysed again. At most one of attributes and attributesPatch.
   */
  attributesPatch?: InputMaybe<Scalars['JSONObject']['input']>;
  /** Normalized and matched as in AddProductInput. */
  category?: InputMaybe<Scalars['String']['input']>;
  /** A new product image as base64 or a base64 data URL. At most one of image, imageFile and imageUrl. */
  image?: InputMaybe<Scalars['String']['input']>;
  /** A new product image as a file part of a multipart request (see Upload). At most one of image, imageFile and imageUrl. */
  imageFile?: InputMaybe<Scalars['Upload']['input']>;
  /** A new product image as an http(s) link, fetched as AddProductInput's imageUrl is. At most one of image, imageFile and imageUrl. */
  imageUrl?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 512 characters. */
  name?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateProductPayload = {
  __typename?: 'UpdateProductPayload';
  /** The product as stored after the change. */
  product: Product;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  ActivateModelVersionPayload: ResolverTypeWrapper<Omit<ActivateModelVersionPayload, 'modelVersion'> & { modelVersion: ResolversTypes['ModelVersion'] }>;
  AddProductInput: AddProductInput;
  AddProductPayload: ResolverTypeWrapper<Omit<AddProductPayload, 'product'> & { product: ResolversTypes['Product'] }>;
  AddProductsPayload: ResolverTypeWrapper<Omit<AddProductsPayload, 'products'> & { products: Array<ResolversTypes['Product']> }>;
  AttributeCondition: AttributeCondition;
  AttributeFacet: ResolverTypeWrapper<AttributeFacet>;
  AttributeKind: AttributeKind;
  AttributeValue: ResolverTypeWrapper<Scalars['AttributeValue']['output']>;
  AttributeValueCount: ResolverTypeWrapper<AttributeValueCount>;
  Attributes: ResolverTypeWrapper<Scalars['Attributes']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CacheControlScope: CacheControlScope;
  CategoryCount: ResolverTypeWrapper<CategoryCount>;
  ClassWeight: ClassWeight;
  DeleteProductPayload: ResolverTypeWrapper<DeleteProductPayload>;
  DistanceMetric: DistanceMetric;
  EmbeddingNormalization: EmbeddingNormalization;
  EmbeddingSpace: EmbeddingSpace;
  EpochMetrics: ResolverTypeWrapper<EpochMetrics>;
  ExcludedCategory: ResolverTypeWrapper<ExcludedCategory>;
  ExistingSku: ExistingSku;
  FeatureEngine: FeatureEngine;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Hyperparameters: ResolverTypeWrapper<Hyperparameters>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSONObject: ResolverTypeWrapper<Scalars['JSONObject']['output']>;
  ModelVersion: ResolverTypeWrapper<ModelVersionSummaryModel>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Neighbour: ResolverTypeWrapper<Omit<Neighbour, 'product'> & { product: ResolversTypes['Product'] }>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Product: ResolverTypeWrapper<ProductModel>;
  ProductConnection: ResolverTypeWrapper<ProductPageModel>;
  ProductEdge: ResolverTypeWrapper<Omit<ProductEdge, 'node'> & { node: ResolversTypes['Product'] }>;
  ProductPair: ResolverTypeWrapper<ProductPairModel>;
  ProductPairConnection: ResolverTypeWrapper<NearDuplicatePageModel>;
  ProductPairEdge: ResolverTypeWrapper<Omit<ProductPairEdge, 'node'> & { node: ResolversTypes['ProductPair'] }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ScanStop: ScanStop;
  ServiceInfo: ResolverTypeWrapper<ServiceInfoSourceModel>;
  Similarity: ResolverTypeWrapper<SimilarityModel>;
  SimilarityFilter: SimilarityFilter;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  TrainModelInput: TrainModelInput;
  TrainModelPayload: ResolverTypeWrapper<Omit<TrainModelPayload, 'trainingRun'> & { trainingRun: ResolversTypes['TrainingRun'] }>;
  TrainingMetrics: ResolverTypeWrapper<TrainingMetrics>;
  TrainingRun: ResolverTypeWrapper<TrainingRunModel>;
  TrainingStatus: TrainingStatus;
  UpdateProductInput: UpdateProductInput;
  UpdateProductPayload: ResolverTypeWrapper<Omit<UpdateProductPayload, 'product'> & { product: ResolversTypes['Product'] }>;
  Upload: ResolverTypeWrapper<Scalars['Upload']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ActivateModelVersionPayload: Omit<ActivateModelVersionPayload, 'modelVersion'> & { modelVersion: ResolversParentTypes['ModelVersion'] };
  AddProductInput: AddProductInput;
  AddProductPayload: Omit<AddProductPayload, 'product'> & { product: ResolversParentTypes['Product'] };
  AddProductsPayload: Omit<AddProductsPayload, 'products'> & { products: Array<ResolversParentTypes['Product']> };
  AttributeCondition: AttributeCondition;
  AttributeFacet: AttributeFacet;
  AttributeValue: Scalars['AttributeValue']['output'];
  AttributeValueCount: AttributeValueCount;
  Attributes: Scalars['Attributes']['output'];
  Boolean: Scalars['Boolean']['output'];
  CategoryCount: CategoryCount;
  DeleteProductPayload: DeleteProductPayload;
  EpochMetrics: EpochMetrics;
  ExcludedCategory: ExcludedCategory;
  Float: Scalars['Float']['output'];
  Hyperparameters: Hyperparameters;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSONObject: Scalars['JSONObject']['output'];
  ModelVersion: ModelVersionSummaryModel;
  Mutation: Record<PropertyKey, never>;
  Neighbour: Omit<Neighbour, 'product'> & { product: ResolversParentTypes['Product'] };
  PageInfo: PageInfo;
  Product: ProductModel;
  ProductConnection: ProductPageModel;
  ProductEdge: Omit<ProductEdge, 'node'> & { node: ResolversParentTypes['Product'] };
  ProductPair: ProductPairModel;
  ProductPairConnection: NearDuplicatePageModel;
  ProductPairEdge: Omit<ProductPairEdge, 'node'> & { node: ResolversParentTypes['ProductPair'] };
  Query: Record<PropertyKey, never>;
  ServiceInfo: ServiceInfoSourceModel;
  Similarity: SimilarityModel;
  SimilarityFilter: SimilarityFilter;
  String: Scalars['String']['output'];
  TrainModelInput: TrainModelInput;
  TrainModelPayload: Omit<TrainModelPayload, 'trainingRun'> & { trainingRun: ResolversParentTypes['TrainingRun'] };
  TrainingMetrics: TrainingMetrics;
  TrainingRun: TrainingRunModel;
  UpdateProductInput: UpdateProductInput;
  UpdateProductPayload: Omit<UpdateProductPayload, 'product'> & { product: ResolversParentTypes['Product'] };
  Upload: Scalars['Upload']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = GraphQLContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ActivateModelVersionPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ActivateModelVersionPayload'] = ResolversParentTypes['ActivateModelVersionPayload']> = ResolversObject<{
  modelVersion?: Resolver<ResolversTypes['ModelVersion'], ParentType, ContextType>;
}>;

export type AddProductPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AddProductPayload'] = ResolversParentTypes['AddProductPayload']> = ResolversObject<{
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
}>;

export type AddProductsPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AddProductsPayload'] = ResolversParentTypes['AddProductsPayload']> = ResolversObject<{
  products?: Resolver<Array<ResolversTypes['Product']>, ParentType, ContextType>;
}>;

export type AttributeFacetResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AttributeFacet'] = ResolversParentTypes['AttributeFacet']> = ResolversObject<{
  distinctValues?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['AttributeKind'], ParentType, ContextType>;
  max?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  min?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  productCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  values?: Resolver<Array<ResolversTypes['AttributeValueCount']>, ParentType, ContextType>;
}>;

export interface AttributeValueScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['AttributeValue'], any> {
  name: 'AttributeValue';
}

export type AttributeValueCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AttributeValueCount'] = ResolversParentTypes['AttributeValueCount']> = ResolversObject<{
  productCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface AttributesScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Attributes'], any> {
  name: 'Attributes';
}

export type CategoryCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['CategoryCount'] = ResolversParentTypes['CategoryCount']> = ResolversObject<{
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  productCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type DeleteProductPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeleteProductPayload'] = ResolversParentTypes['DeleteProductPayload']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type EpochMetricsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EpochMetrics'] = ResolversParentTypes['EpochMetrics']> = ResolversObject<{
  accuracy?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  epoch?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  loss?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  seconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  valAccuracy?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  valLoss?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type ExcludedCategoryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ExcludedCategory'] = ResolversParentTypes['ExcludedCategory']> = ResolversObject<{
  category?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  products?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type HyperparametersResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Hyperparameters'] = ResolversParentTypes['Hyperparameters']> = ResolversObject<{
  batchSize?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  classWeight?: Resolver<ResolversTypes['ClassWeight'], ParentType, ContextType>;
  dropout?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  earlyStoppingPatience?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  embeddingNormalization?: Resolver<ResolversTypes['EmbeddingNormalization'], ParentType, ContextType>;
  epochs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  hiddenUnits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  learningRate?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  midUnits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  restoreBestWeights?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  seed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  validationSplit?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export interface JsonObjectScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSONObject'], any> {
  name: 'JSONObject';
}

export type ModelVersionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ModelVersion'] = ResolversParentTypes['ModelVersion']> = ResolversObject<{
  activatedAt?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  active?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  classes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  embeddedProducts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  metrics?: Resolver<ResolversTypes['TrainingMetrics'], ParentType, ContextType>;
  trainingRun?: Resolver<ResolversTypes['TrainingRun'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  activateModelVersion?: Resolver<ResolversTypes['ActivateModelVersionPayload'], ParentType, ContextType, RequireFields<MutationActivateModelVersionArgs, 'id'>>;
  addProduct?: Resolver<ResolversTypes['AddProductPayload'], ParentType, ContextType, RequireFields<MutationAddProductArgs, 'input'>>;
  addProducts?: Resolver<ResolversTypes['AddProductsPayload'], ParentType, ContextType, RequireFields<MutationAddProductsArgs, 'inputs' | 'onExisting'>>;
  deleteProduct?: Resolver<ResolversTypes['DeleteProductPayload'], ParentType, ContextType, RequireFields<MutationDeleteProductArgs, 'id'>>;
  trainModel?: Resolver<ResolversTypes['TrainModelPayload'], ParentType, ContextType, Partial<MutationTrainModelArgs>>;
  updateProduct?: Resolver<ResolversTypes['UpdateProductPayload'], ParentType, ContextType, RequireFields<MutationUpdateProductArgs, 'id' | 'input'>>;
}>;

export type NeighbourResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Neighbour'] = ResolversParentTypes['Neighbour']> = ResolversObject<{
  distance?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  rank?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ProductResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product']> = ResolversObject<{
  attributes?: Resolver<ResolversTypes['Attributes'], ParentType, ContextType>;
  category?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  imageHeight?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  imageSha256?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  imageUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  imageWidth?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  predictedCategory?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sku?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  thumbnail?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  thumbnailUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type ProductConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ProductConnection'] = ResolversParentTypes['ProductConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ProductEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ProductEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ProductEdge'] = ResolversParentTypes['ProductEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
}>;

export type ProductPairResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ProductPair'] = ResolversParentTypes['ProductPair']> = ResolversObject<{
  a?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  b?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  distance?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type ProductPairConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ProductPairConnection'] = ResolversParentTypes['ProductPairConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ProductPairEdge']>, ParentType, ContextType>;
  modelVersion?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  scannedProducts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  scannedThrough?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  space?: Resolver<ResolversTypes['EmbeddingSpace'], ParentType, ContextType>;
  stoppedBy?: Resolver<ResolversTypes['ScanStop'], ParentType, ContextType>;
}>;

export type ProductPairEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ProductPairEdge'] = ResolversParentTypes['ProductPairEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ProductPair'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  attributeFacets?: Resolver<Array<ResolversTypes['AttributeFacet']>, ParentType, ContextType>;
  categories?: Resolver<Array<ResolversTypes['CategoryCount']>, ParentType, ContextType, RequireFields<QueryCategoriesArgs, 'first'>>;
  modelVersions?: Resolver<Array<ResolversTypes['ModelVersion']>, ParentType, ContextType, RequireFields<QueryModelVersionsArgs, 'first'>>;
  nearDuplicates?: Resolver<ResolversTypes['ProductPairConnection'], ParentType, ContextType, RequireFields<QueryNearDuplicatesArgs, 'first' | 'maxDistance'>>;
  product?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, RequireFields<QueryProductArgs, 'id'>>;
  productBySku?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, RequireFields<QueryProductBySkuArgs, 'sku'>>;
  products?: Resolver<ResolversTypes['ProductConnection'], ParentType, ContextType, RequireFields<QueryProductsArgs, 'first'>>;
  recommend?: Resolver<ResolversTypes['Similarity'], ParentType, ContextType, RequireFields<QueryRecommendArgs, 'k' | 'negative' | 'positive'>>;
  service?: Resolver<ResolversTypes['ServiceInfo'], ParentType, ContextType>;
  similarProducts?: Resolver<ResolversTypes['Similarity'], ParentType, ContextType, RequireFields<QuerySimilarProductsArgs, 'id' | 'k'>>;
  similarToImage?: Resolver<ResolversTypes['Similarity'], ParentType, ContextType, RequireFields<QuerySimilarToImageArgs, 'k'>>;
  trainingRun?: Resolver<Maybe<ResolversTypes['TrainingRun']>, ParentType, ContextType, RequireFields<QueryTrainingRunArgs, 'id'>>;
  trainingRuns?: Resolver<Array<ResolversTypes['TrainingRun']>, ParentType, ContextType, RequireFields<QueryTrainingRunsArgs, 'first'>>;
}>;

export type ServiceInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ServiceInfo'] = ResolversParentTypes['ServiceInfo']> = ResolversObject<{
  backend?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  catalogSize?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  database?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  embeddingSpace?: Resolver<ResolversTypes['EmbeddingSpace'], ParentType, ContextType>;
  featureEngine?: Resolver<ResolversTypes['FeatureEngine'], ParentType, ContextType>;
  featureWorkers?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  modelVersion?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  tensorflowBackend?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  tokenAccepted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  writesNeedToken?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type SimilarityResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Similarity'] = ResolversParentTypes['Similarity']> = ResolversObject<{
  metric?: Resolver<ResolversTypes['DistanceMetric'], ParentType, ContextType>;
  modelVersion?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  neighbours?: Resolver<Array<ResolversTypes['Neighbour']>, ParentType, ContextType>;
  predictedCategory?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  space?: Resolver<ResolversTypes['EmbeddingSpace'], ParentType, ContextType>;
}>;

export type TrainModelPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TrainModelPayload'] = ResolversParentTypes['TrainModelPayload']> = ResolversObject<{
  trainingRun?: Resolver<ResolversTypes['TrainingRun'], ParentType, ContextType>;
}>;

export type TrainingMetricsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TrainingMetrics'] = ResolversParentTypes['TrainingMetrics']> = ResolversObject<{
  embeddedProducts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  embeddingSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  keptEpoch?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  stoppedEarly?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  trainingSeconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  valAccuracy?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  valLoss?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type TrainingRunResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TrainingRun'] = ResolversParentTypes['TrainingRun']> = ResolversObject<{
  classes?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  epochs?: Resolver<Array<ResolversTypes['EpochMetrics']>, ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  excludedCategories?: Resolver<Maybe<Array<ResolversTypes['ExcludedCategory']>>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hyperparameters?: Resolver<ResolversTypes['Hyperparameters'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  metrics?: Resolver<Maybe<ResolversTypes['TrainingMetrics']>, ParentType, ContextType>;
  modelVersion?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  progress?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['TrainingStatus'], ParentType, ContextType>;
  trainingSamples?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  validationSamples?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
}>;

export type UpdateProductPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UpdateProductPayload'] = ResolversParentTypes['UpdateProductPayload']> = ResolversObject<{
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
}>;

export interface UploadScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Upload'], any> {
  name: 'Upload';
}

export type Resolvers<ContextType = GraphQLContext> = ResolversObject<{
  ActivateModelVersionPayload?: ActivateModelVersionPayloadResolvers<ContextType>;
  AddProductPayload?: AddProductPayloadResolvers<ContextType>;
  AddProductsPayload?: AddProductsPayloadResolvers<ContextType>;
  AttributeFacet?: AttributeFacetResolvers<ContextType>;
  AttributeValue?: GraphQLScalarType;
  AttributeValueCount?: AttributeValueCountResolvers<ContextType>;
  Attributes?: GraphQLScalarType;
  CategoryCount?: CategoryCountResolvers<ContextType>;
  DeleteProductPayload?: DeleteProductPayloadResolvers<ContextType>;
  EpochMetrics?: EpochMetricsResolvers<ContextType>;
  ExcludedCategory?: ExcludedCategoryResolvers<ContextType>;
  Hyperparameters?: HyperparametersResolvers<ContextType>;
  JSONObject?: GraphQLScalarType;
  ModelVersion?: ModelVersionResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Neighbour?: NeighbourResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  ProductConnection?: ProductConnectionResolvers<ContextType>;
  ProductEdge?: ProductEdgeResolvers<ContextType>;
  ProductPair?: ProductPairResolvers<ContextType>;
  ProductPairConnection?: ProductPairConnectionResolvers<ContextType>;
  ProductPairEdge?: ProductPairEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ServiceInfo?: ServiceInfoResolvers<ContextType>;
  Similarity?: SimilarityResolvers<ContextType>;
  TrainModelPayload?: TrainModelPayloadResolvers<ContextType>;
  TrainingMetrics?: TrainingMetricsResolvers<ContextType>;
  TrainingRun?: TrainingRunResolvers<ContextType>;
  UpdateProductPayload?: UpdateProductPayloadResolvers<ContextType>;
  Upload?: GraphQLScalarType;
}>;

export type DirectiveResolvers<ContextType = GraphQLContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
