import sharp from 'sharp';

/**
 * A square PNG data URL of `size` pixels. Small images (28x28 Fashion-MNIST) are scaled up with nearest
 * neighbour so that their pixels stay sharp instead of blurring; large photos are scaled down smoothly.
 */
export async function thumbnailDataUrl(image: Uint8Array, size: number): Promise<string> {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  const kernel = width < size && height < size ? 'nearest' : 'lanczos3';
  const png = await sharp(image)
    .resize(size, size, { fit: 'contain', background: 'white', kernel })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
