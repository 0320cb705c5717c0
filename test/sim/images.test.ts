import sharp from 'sharp';
import t from 'tap';
import { FACE_VARIANTS, faceImage, faceImages } from '../../sim/images.js';

t.test('face snapshots are small real JPEGs, encoded once', async (t) => {
  const all = await faceImages();
  t.equal(all.length, FACE_VARIANTS);
  for (const img of all) {
    const meta = await sharp(img).metadata();
    t.match(meta, { format: 'jpeg', width: 480, height: 640 });
    t.ok(img.length < 64 * 1024, `${img.length} bytes`);
  }
  t.equal(new Set(all.map((b) => b.toString('base64'))).size, FACE_VARIANTS, 'all variants differ');
  t.equal(await faceImage(FACE_VARIANTS + 2), all[2], 'variants wrap around, and come from the cache');
  t.equal(await faceImage(-1), all[FACE_VARIANTS - 1]);
});
