/**
 * An embedding space: the id of the model version whose trained head
 * embedded the catalog, or null for the raw 2048-d ResNet50 features that
 * answer until a head is trained. The schema shows it as a kind
 * (RESNET50_FEATURES or TRAINED_HEAD) beside the model version.
 */
export type EmbeddingSpace = number | null;
