import { z } from 'zod';
import { defineRepository, nonEmptyPatch } from './define.js';

const title = z.string().trim().min(1).max(500);
const metadata = z.record(z.string(), z.json());

export const documentRow = z.object({
  tenant_id: z.string(),
  id: z.string(),
  user_id: z.string(),
  title: z.string(),
  content_hash: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.date(),
  updated_at: z.date(),
});
export type Document = z.output<typeof documentRow>;

export const createDocumentInput = z.strictObject({
  user_id: z.guid(),
  title,
  // SHA-256 of the content, lowercase hex (the column's check).
  content_hash: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256 digest'),
  metadata: metadata.default({}),
});
export const updateDocumentInput = nonEmptyPatch({ title, metadata });

/** Documents of a tenant; the stories ask for no soft delete, so `remove` deletes. */
export const documents = defineRepository({
  entity: 'document',
  table: { schema: 'app', name: 'documents' },
  row: documentRow,
  create: createDocumentInput,
  update: updateDocumentInput,
  sort: { columns: ['created_at', 'updated_at', 'title'], default: 'created_at', direction: 'desc' },
  filter: z.object({ user_id: z.guid() }).partial(),
  deletion: { mode: 'hard' },
  jsonColumns: ['metadata'],
});
