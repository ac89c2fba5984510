// The app's storage account: Functions host state and the deployment package (blob), the app's tables and queues.
// Shared keys are off: everything authenticates with Entra ID (the app's identity, or the deploying user).
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Blob containers to create (the Flex Consumption deployment container).')
param containers string[] = []

@description('Tables to create: those the app uses (it also creates them on first use).')
param tables string[] = []

@description('Queues to create: those of the queue functions and their poison queues.')
param queues string[] = []

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    supportsHttpsTrafficOnly: true
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'

    resource container 'containers' = [
      for container in containers: {
        name: container
        properties: {
          publicAccess: 'None'
        }
      }
    ]
  }

  // Every table and queue the app uses is created here, so a deployment is complete before the first request. The
  // app still creates a table or queue it misses on first use (a renamed table, Storage__NamePrefix); the Functions
  // host creates its own blob containers (azure-webjobs-hosts, azure-webjobs-secrets).
  resource tableServices 'tableServices' = {
    name: 'default'
    properties: {}

    resource table 'tables' = [
      for table in tables: {
        name: table
        properties: {}
      }
    ]
  }

  resource queueServices 'queueServices' = {
    name: 'default'
    properties: {}

    resource queue 'queues' = [
      for queue in queues: {
        name: queue
        properties: {}
      }
    ]
  }
}

output name string = storage.name
output resourceId string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
