/** The aws dialect: SecretProviderClasses written for the AWS provider, translated into Courier's MountPlan. */
import { AWS_STORE_KEYS, checkAwsSetting, failoverRegionProblem } from './settings.ts';
import { checkPathSet } from '../../spc/check-paths.ts';
import { IssueList, readYamlList } from '../../spc/fields.ts';
import type { ObjectSpec, PlanResult } from '../../spc/types.ts';
import { readAwsEntry, type AwsPlanSettings, type SeenEntry } from './dialect-entry.ts';
import type { Dialect, DialectContext } from '../../spc/store-catalog.ts';

/** Top-level parameters of the AWS provider. */
export const AWS_PARAMETER_KEYS = ['objects', 'region', 'failoverRegion', 'pathTranslation', 'usePodIdentity', 'preferredAddressType'] as const;

/** The AWS provider's SecretProviderClass dialect, served on `aws.sock` with `--compat aws`. */
export const awsDialect: Dialect = { name: 'aws', parameterKeys: AWS_PARAMETER_KEYS, plan: planAws };

/** Plans an AWS-provider SecretProviderClass. Pure: every problem is returned, none thrown. */
export function planAws(parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult {
  const issues = new IssueList();
  const settings = readSettings(parameters, issues);
  const objects: ObjectSpec[] = [];
  const pathFields = new Map<ObjectSpec, string>();
  const seen = new Map<string, SeenEntry>();
  readYamlList(parameters['objects'], 'objects', { required: 'a YAML list of objects, each with an "objectName"', noun: 'object' }, issues, context.budgets.maxObjects).forEach((entry, index) => {
    for (const { object, pathField } of readAwsEntry(entry, `objects[${index}]`, settings, context, issues, seen)) {
      objects.push(object);
      pathFields.set(object, pathField);
    }
  });
  checkPathSet(objects, issues, (object) => pathFields.get(object) ?? object.id);
  if (issues.items.length > 0) return { ok: false, issues: issues.items };
  return { ok: true, plan: { dialect: 'aws', objects } };
}

/** Region, failover region, identity settings and path translation, checked once for every entry. */
function readSettings(parameters: Readonly<Record<string, string>>, issues: IssueList): AwsPlanSettings {
  const storeParams: Record<string, string> = {};
  for (const key of AWS_STORE_KEYS) {
    const value = parameters[key];
    if (value === undefined || value === '') continue;
    const problem = checkAwsSetting(key, value);
    if (problem === undefined) storeParams[key] = value;
    else issues.add(key, problem);
  }
  const region = storeParams['region'];
  const failoverRegion = storeParams['failoverRegion'];
  const failoverProblem = failoverRegionProblem(region, failoverRegion);
  if (failoverProblem !== undefined) issues.add('failoverRegion', failoverProblem);
  return {
    storeParams,
    ...(region === undefined ? {} : { region }),
    ...(failoverRegion === undefined ? {} : { failoverRegion }),
    ...readTranslation(parameters['pathTranslation'], issues),
  };
}

/** `pathTranslation`: empty means `_`, "False" (any case) turns it off, otherwise one character. */
function readTranslation(value: string | undefined, issues: IssueList): { translation?: string } {
  if (value === undefined || value === '') return { translation: '_' };
  if (value.toLowerCase() === 'false') return {};
  if ([...value].length === 1) return { translation: value };
  issues.add('pathTranslation', `must be "False" or a single character, not "${value}"`);
  return { translation: '_' };
}
