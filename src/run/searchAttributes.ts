// The search attributes a run publishes for the Web UI and `temporal workflow list --query`:
// its phase, its progress in percent, and the tokens it used. Registered on the dev servers we
// start; a run publishes them only when told the server has them. Pure.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DagentStatus = defineSearchAttributeKey('DagentStatus', SearchAttributeType.KEYWORD);
export const DagentProgress = defineSearchAttributeKey('DagentProgress', SearchAttributeType.INT);
export const DagentTokens = defineSearchAttributeKey('DagentTokens', SearchAttributeType.INT);

/** `--search-attribute NAME=Type` flags for `temporal server start-dev`. */
export const DEV_SERVER_SEARCH_ATTRIBUTES = ['DagentStatus=Keyword', 'DagentProgress=Int', 'DagentTokens=Int'];
export const SEARCH_ATTRIBUTE_NAMES = ['DagentStatus', 'DagentProgress', 'DagentTokens'];
