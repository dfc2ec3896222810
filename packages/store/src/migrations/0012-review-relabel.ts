import type { Migration } from './migration.ts';

/**
 * The privacy officer's review of emergency access, and relabelling after a Part 2 designation (docs/consent.md):
 *
 * - `break_glass` gains the review of each grant (who reviewed it, when, the outcome and a comment). The grant itself
 *   still never changes; only its review is written, and written again when a privacy officer revises it.
 *   `break_glass_review` serves the review queue: unreviewed grants, newest first.
 * - `relabel_request`: a Part 2 program whose stored records must be relabelled because it was designated (one row per
 *   program, written in the designation's transaction). `seq` grows with every request, so a run deletes only the
 *   requests it has seen when it began (a designation made during a run asks for another). The server's background
 *   relabelling and `confide relabel` delete them; a row left by a stopped process is finished at the next start.
 */
export const reviewRelabel: Migration = {
  version: 12,
  name: 'review-relabel',
  sql: () => `
    ALTER TABLE break_glass
      ADD COLUMN reviewed_by text,
      ADD COLUMN reviewed_at timestamptz,
      ADD COLUMN review_outcome text CHECK (review_outcome IN ('appropriate', 'inappropriate', 'needs-follow-up')),
      ADD COLUMN review_comment text,
      ADD CONSTRAINT break_glass_review_whole CHECK ((reviewed_by IS NULL) = (reviewed_at IS NULL) AND (reviewed_at IS NULL) = (review_outcome IS NULL));
    CREATE INDEX break_glass_review ON break_glass ((reviewed_at IS NULL), started DESC, id DESC);
    CREATE SEQUENCE relabel_request_seq;
    CREATE TABLE relabel_request (
      program text PRIMARY KEY,
      seq bigint NOT NULL DEFAULT nextval('relabel_request_seq'),
      requested timestamptz NOT NULL DEFAULT now()
    );
  `,
};
