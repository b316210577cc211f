import { DomainError } from '../errors.js';
import type { InputMaybe } from './generated/resolvers-types.js';
import type { UploadedFile } from './upload.js';

interface ImageArguments {
  image?: InputMaybe<string>;
  imageFile?: InputMaybe<UploadedFile>;
}

/** The image given as base64 (`image`) or as a file part (`imageFile`); undefined when neither is given. */
export function imageArgument({ image, imageFile }: ImageArguments): string | Uint8Array | undefined {
  if (image != null && imageFile != null) {
    throw new DomainError('BAD_USER_INPUT', 'give the image once: as image (base64) or as imageFile, not both', { field: 'imageFile' });
  }
  return imageFile?.bytes ?? image ?? undefined;
}

/** As `imageArgument`, where an image is required. */
export function requiredImageArgument(args: ImageArguments): string | Uint8Array {
  const image = imageArgument(args);
  if (image === undefined) throw new DomainError('BAD_USER_INPUT', 'an image is required: image (base64) or imageFile (a multipart file part)', { field: 'image' });
  return image;
}
