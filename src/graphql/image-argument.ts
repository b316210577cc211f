import type { ImageSource } from '../catalog/product-images.js';
import { DomainError } from '../errors.js';
import type { InputMaybe } from './generated/resolvers-types.js';
import type { UploadedFile } from './upload.js';

interface ImageArguments {
  image?: InputMaybe<string>;
  imageFile?: InputMaybe<UploadedFile>;
  imageUrl?: InputMaybe<string>;
}

/** The image given as base64 (`image`), as a file part (`imageFile`) or by link (`imageUrl`); undefined when none is given. */
export function imageArgument({ image, imageFile, imageUrl }: ImageArguments): ImageSource | undefined {
  const given = Object.entries({ image, imageFile, imageUrl }).filter(([, value]) => value != null);
  if (given.length > 1) {
    throw new DomainError('BAD_USER_INPUT', 'give the image once: as image (base64), imageFile or imageUrl, not several', {
      field: given[1]![0],
      fields: given.map(([name]) => name),
    });
  }
  if (imageUrl != null) return { url: imageUrl };
  return imageFile?.bytes ?? image ?? undefined;
}

/** As `imageArgument`, where an image is required. */
export function requiredImageArgument(args: ImageArguments): ImageSource {
  const image = imageArgument(args);
  if (image === undefined) {
    throw new DomainError('BAD_USER_INPUT', 'an image is required: image (base64), imageFile (a multipart file part) or imageUrl (an http(s) link)', { field: 'image' });
  }
  return image;
}
