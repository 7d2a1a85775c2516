/** The contract as a grpc-js client, for Courier's command-line clients and the tests; the server never loads it. */
// `courier mount --socket` and `courier doctor` call a running Courier with it; serving Mounts uses
// src/server/grpc-unary.ts.
import { makeClientConstructor, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { decodeMountRequest, decodeMountResponse, decodeVersionRequest, decodeVersionResponse, encodeMountRequest, encodeMountResponse, encodeVersionRequest, encodeVersionResponse } from './proto.ts';

/** The loaded `v1alpha1.CSIDriverProvider` service: its definition and a client constructor. */
export interface ProviderProto {
  readonly service: ServiceDefinition;
  readonly Client: ServiceClientConstructor;
}

/** One unary method of the service, as grpc-js describes it. */
function unary<Request, Response>(name: string, encodeRequest: (message: Request) => Buffer, decodeRequest: (bytes: Buffer) => Request, encodeResponse: (message: Response) => Buffer, decodeResponse: (bytes: Buffer) => Response) {
  return {
    path: `/v1alpha1.CSIDriverProvider/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeRequest,
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: decodeResponse,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

const SERVICE: ServiceDefinition = {
  Version: unary('Version', encodeVersionRequest, decodeVersionRequest, encodeVersionResponse, decodeVersionResponse),
  Mount: unary('Mount', encodeMountRequest, decodeMountRequest, encodeMountResponse, decodeMountResponse),
};

let loaded: ProviderProto | undefined;

/** The contract; missing strings are '' and missing lists [] as in proto3, a missing error is null. */
export function loadProviderProto(): ProviderProto {
  loaded ??= { service: SERVICE, Client: makeClientConstructor(SERVICE, 'v1alpha1.CSIDriverProvider') };
  return loaded;
}
