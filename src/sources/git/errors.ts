/** Expected failures of the Git source, each with a message that says what to do next. */
import { UserError } from '../../errors.js';

/** A path that is not (or holds no) Git repository. Given ('/srv/x', 'is …'), prints "/srv/x: is …". */
export class GitRepositoryError extends UserError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, undefined, options);
    this.path = path;
  }
}

/** A repository whose snapshot could not be made or verified; `path` is the repository the user named. */
export class GitCaptureError extends UserError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, undefined, options);
    this.path = path;
  }
}
