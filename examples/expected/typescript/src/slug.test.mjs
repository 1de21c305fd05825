import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slug } from './slug.mjs';

test('slug lower-cases and joins words with -', () => {
  assert.equal(slug('Big Order'), 'big-order');
});
