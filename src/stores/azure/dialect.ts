/** The azure dialect: SecretProviderClasses written for the Azure Key Vault provider, translated into Courier's MountPlan; pure. */
import { checkPathSet } from '../../spc/check-paths.ts';
import { IssueList } from '../../spc/fields.ts';
import type { Dialect, DialectContext } from '../../spc/store-catalog.ts';
import type { ObjectSpec, PlanResult } from '../../spc/types.ts';
import { readAzureEntry } from './dialect-entry.ts';
import { readObjectsArray } from './dialect-yaml.ts';
import { vaultNameProblem } from './names.ts';
import { checkAzureSetting, parseGoBoolean } from './settings.ts';

/** Top-level parameters of the Azure provider. */
export const AZURE_PARAMETER_KEYS = ['objects', 'keyvaultName', 'tenantID', 'tenantId', 'cloudName', 'cloudEnvFileName', 'clientID', 'usePodIdentity', 'useVMManagedIdentity', 'userAssignedIdentityID'] as const;

/** The Azure provider's SecretProviderClass dialect, served on `azure.sock` with `--compat azure`. */
export const azureDialect: Dialect = { name: 'azure', parameterKeys: AZURE_PARAMETER_KEYS, plan: planAzure };

/** Plans an Azure-provider SecretProviderClass. Pure: every problem is returned, none thrown. */
export function planAzure(parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult {
  const issues = new IssueList();
  const vault = readVault(parameters, issues);
  const storeParams = readIdentitySettings(parameters, issues);
  const objects: ObjectSpec[] = [];
  const pathFields = new Map<ObjectSpec, string>();
  for (const { entry, field } of readObjectsArray(parameters['objects'], issues)) {
    for (const { object, pathField } of readAzureEntry(entry, field, { vault, storeParams, permission: context.permission }, issues)) {
      objects.push(object);
      pathFields.set(object, pathField);
    }
  }
  checkPathSet(objects, issues, (object) => pathFields.get(object) ?? object.id);
  if (issues.items.length > 0) return { ok: false, issues: issues.items };
  return { ok: true, plan: { dialect: 'azure', objects } };
}

function readVault(parameters: Readonly<Record<string, string>>, issues: IssueList): string | undefined {
  const name = parameters['keyvaultName']?.trim() ?? '';
  if (name === '') {
    issues.add('keyvaultName', 'is required: the name of the key vault (https://<keyvaultName>.vault.azure.net)');
    return undefined;
  }
  const problem = vaultNameProblem(name);
  if (problem !== undefined) issues.add('keyvaultName', problem);
  return problem === undefined ? name.toLowerCase() : undefined;
}

/** The identity settings every object carries; the retired and node-file options are refused with what to use instead. */
function readIdentitySettings(parameters: Readonly<Record<string, string>>, issues: IssueList): Record<string, string> {
  const value = (key: string) => {
    const text = parameters[key]?.trim() ?? '';
    return text === '' ? undefined : text;
  };
  const params: Record<string, string> = {};
  const keep = (key: 'tenantID' | 'clientID' | 'cloudName' | 'userAssignedIdentityID', text: string | undefined, field: string) => {
    if (text === undefined) return;
    const problem = checkAzureSetting(key, text);
    if (problem === undefined) params[key] = text;
    else issues.add(field, problem);
  };
  // tenantID wins over the deprecated tenantId, as in the Azure provider.
  keep('tenantID', value('tenantID') ?? value('tenantId'), value('tenantID') === undefined ? 'tenantId' : 'tenantID');
  keep('cloudName', value('cloudName'), 'cloudName');
  keep('clientID', value('clientID'), 'clientID');
  if (value('cloudEnvFileName') !== undefined) {
    issues.add('cloudEnvFileName', 'names a file on the node, which Courier does not read for a SecretProviderClass; for a custom cloud the administrator sets --azure-authority-host (docs/azure.md)');
  }
  const podIdentity = readSwitch(value('usePodIdentity'), 'usePodIdentity', issues);
  if (podIdentity) {
    issues.add('usePodIdentity', 'AAD Pod Identity is retired and Courier does not support it; use Azure Workload Identity: set usePodIdentity to "false", set clientID (or annotate the ServiceAccount with azure.workload.identity/client-id) and add a federated credential (docs/azure.md)');
  }
  if (readSwitch(value('useVMManagedIdentity'), 'useVMManagedIdentity', issues)) {
    params['useVMManagedIdentity'] = 'true';
    keep('userAssignedIdentityID', value('userAssignedIdentityID'), 'userAssignedIdentityID');
  }
  return params;
}

function readSwitch(text: string | undefined, field: string, issues: IssueList): boolean {
  if (text === undefined) return false;
  const parsed = parseGoBoolean(text);
  if (parsed === undefined) issues.add(field, `"${text}" is not true or false`);
  return parsed === true;
}
