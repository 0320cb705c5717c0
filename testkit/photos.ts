import sharp from 'sharp';

/**
 * JPEGs for tests of face photos (issue 11): noise of the size asked (so it weighs what a
 * photo weighs: terminals refuse files under 1 KB), optionally with an EXIF orientation and
 * a GPS-like comment, so a test can see that normalisation turns it upright and strips the
 * metadata.
 */
export async function testJpeg(
  width: number,
  height: number,
  o: { orientation?: number; shade?: number; quality?: number } = {},
): Promise<Buffer> {
  const shade = o.shade ?? 128;
  let img = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: shade, g: shade, b: shade },
      noise: { type: 'gaussian', mean: shade, sigma: 30 },
    },
  }).jpeg({ quality: o.quality ?? 90 });
  if (o.orientation)
    img = img.withMetadata({ orientation: o.orientation, exif: { IFD0: { ImageDescription: 'GPS 31.2N' } } });
  return img.toBuffer();
}
