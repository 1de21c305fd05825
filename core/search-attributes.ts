// The search attributes a batch and its jobs carry, so the Web UI can list a project's
// workflows (WorkSplitProject="…") and filter by job and status. Registered by the embedded
// server; other servers need them registered (see README) or [temporal] search_attributes = false.
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

export const PROJECT_KEY = defineSearchAttributeKey('WorkSplitProject', SearchAttributeType.KEYWORD);
export const JOB_KEY = defineSearchAttributeKey('WorkSplitJob', SearchAttributeType.KEYWORD);
export const STATUS_KEY = defineSearchAttributeKey('WorkSplitStatus', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTE_NAMES = [PROJECT_KEY.name, JOB_KEY.name, STATUS_KEY.name];
