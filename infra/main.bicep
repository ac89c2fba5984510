// BlocklistApi on Azure: one Flex Consumption Function App, its storage, identity and monitoring.
// Layout and names follow the azd Flex Consumption template (Azure-Samples/functions-quickstart-dotnet-azd), with the
// resources written as local modules under app/ instead of registry (AVM) modules.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment. With the subscription and location it seeds the names of all resources.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user or service principal. It gets the app\'s storage data roles so local tools work. Empty: none.')
param principalId string = ''

@description('Kind of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

// Resource names: empty means derived from the resource token, as in the azd templates.
param resourceGroupName string = ''
param functionAppName string = ''
param appServicePlanName string = ''
param storageAccountName string = ''
param apiUserAssignedIdentityName string = ''
param applicationInsightsName string = ''
param logAnalyticsName string = ''
param communicationServiceName string = ''
param emailServiceName string = ''

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

// Settings of the app's configuration contract (app settings use Section__Key names).

@description('Dns__Servers__N: resolvers as host:port. Empty: the platform resolver. DNSBL operators refuse queries from large public resolvers, so production should name its own recursive resolver.')
param dnsServers string[] = []

@description('Dns__Timeout: how long one DNS query may take (TimeSpan).')
param dnsTimeout string = '00:00:02'

@description('Dns__UseCache: whether the DNS client caches answers by TTL.')
param dnsUseCache bool = true

@description('Dnsbl__Zones__N__*: the DNS blocklists and allow lists to query, in the order answers list them.')
param dnsblZones dnsblZone[] = []

@description('ReputationCache__Enabled: whether zone answers are cached in Table Storage.')
param reputationCacheEnabled bool = true

@description('Greylist__PurgeSchedule: NCRONTAB schedule of the timer that deletes greylist triplets older than Greylist__MaxAge (the timer\'s %Greylist:PurgeSchedule% must resolve).')
param greylistPurgeSchedule string = '0 30 3 * * *'

@description('PublicPage__Url: the public page, named in greylisting\'s SMTP replies and the base of every link in whitelist mails, e.g. https://mail-help.example.com/. Empty: the app\'s own address (https://NAME.azurewebsites.net/), which serves the page.')
param publicPageUrl string = ''

@description('ZoneHealth__Schedule: NCRONTAB schedule of the timer that probes every zone\'s RFC 5782 test points (%ZoneHealth:Schedule%).')
param zoneHealthSchedule string = '0 */2 * * * *'

@description('ZoneHealth__FailuresToDisable: bad probes or answers in a row that take a zone out of reputation calls.')
@minValue(1)
@maxValue(1000)
param zoneHealthFailuresToDisable int = 3

@description('ZoneHealth__PassesToEnable: good probes in a row that bring a zone back.')
@minValue(1)
@maxValue(1000)
param zoneHealthPassesToEnable int = 2

@description('ReputationCache__RefreshSchedule: NCRONTAB schedule of the timer that refreshes cached answers ahead of expiry and deletes expired ones (%ReputationCache:RefreshSchedule%).')
param reputationCacheRefreshSchedule string = '0 * * * * *'

@description('ReputationCache__RefreshBatch: the most cached answers one refresh run asks again.')
@minValue(1)
@maxValue(100000)
param reputationCacheRefreshBatch int = 1000

@description('ReputationCache__FailureTtl: how long a zone\'s failed answer is cached (TimeSpan).')
param reputationCacheFailureTtl string = '00:00:30'

@description('Monitors__Schedule: NCRONTAB schedule of the timer that checks our own sending addresses on the block zones (%Monitors:Schedule%).')
param monitorsSchedule string = '0 */15 * * * *'

@description('Monitors__MaxAddresses: how many addresses all monitored ranges may hold together.')
@minValue(1)
@maxValue(65536)
param monitorsMaxAddresses int = 1024

@secure()
@minLength(32)
@description('Whitelist__LinkSecret: the key that signs every link in whitelist mails (HMAC-SHA256), at least 32 bytes. azd generates it once per environment and keeps it; changing it invalidates the links already sent.')
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 48
      noSpecial: true
    }
  }
})
param whitelistLinkSecret string

@description('Whitelist__LinkLifetime: how long a link in a whitelist mail works (TimeSpan).')
param whitelistLinkLifetime string = '2.00:00:00'

@description('Whitelist__EntryLifetime: how long an approved request\'s allow entry counts unless the admin says (TimeSpan). Empty: no expiry.')
param whitelistEntryLifetime string = ''

@minLength(1)
@description('Notifications__AdminEmails__N: the admins who decide whitelist requests (and get alerts).')
param adminEmails string[]

@description('Email__From override: the From address of every mail, a sender of a domain linked to the Communication Services resource (a custom domain you add and verify yourself). Empty: DoNotReply@ the Azure-managed domain the template creates.')
param emailFrom string = ''

@description('Where Azure Communication Services keeps its data at rest (the e-mail domain and the Communication Services resource share it), e.g. United States, Europe, UK, Switzerland, Australia, Japan.')
param communicationDataLocation string = 'United States'

@description('One DNS zone to query (RFC 5782); becomes Dnsbl__Zones__N__Zone, __Kind, __Weight and __DelistUrl.')
type dnsblZone = {
  @description('Zone name, e.g. zen.spamhaus.org. It may start with an access key label (Spamhaus DQS: KEY.zen.dq.spamhaus.net).')
  zone: string

  @description('block (a DNSBL, the default) or allow (a DNSWL such as list.dnswl.org).')
  kind: ('block' | 'allow')?

  @description('How much a listing counts in the score. Default 1. Whole numbers: ARM templates have no floating point.')
  @minValue(0)
  @maxValue(1000)
  weight: int?

  @description('Info and delisting URL, {ip} replaced by the address. Default: the operator\'s page for zones the app knows.')
  delistUrl: string?
}

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var apiName = !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}api-${resourceToken}'
// Flex Consumption deploys from a blob container; one per app.
var deploymentContainerName = 'app-package-${take(apiName, 32)}-${take(toLower(uniqueString(apiName, resourceToken)), 7)}'

var dnsSettings = union(toObject(range(0, length(dnsServers)), i => 'Dns__Servers__${i}', i => dnsServers[i]), {
  Dns__Timeout: dnsTimeout
  Dns__UseCache: dnsUseCache ? 'true' : 'false'
})

// One setting per zone and field. DelistUrl only when given: the app has defaults for the zones it knows.
var dnsblSettings = reduce(
  range(0, length(dnsblZones)),
  {},
  (settings, i) =>
    union(
      settings,
      {
        'Dnsbl__Zones__${i}__Zone': dnsblZones[i].zone
        'Dnsbl__Zones__${i}__Kind': dnsblZones[i].?kind ?? 'block'
        'Dnsbl__Zones__${i}__Weight': string(dnsblZones[i].?weight ?? 1)
      },
      empty(dnsblZones[i].?delistUrl) ? {} : { 'Dnsbl__Zones__${i}__DelistUrl': dnsblZones[i].delistUrl! }
    )
)

var timerSettings = {
  ZoneHealth__Schedule: zoneHealthSchedule
  ZoneHealth__FailuresToDisable: string(zoneHealthFailuresToDisable)
  ZoneHealth__PassesToEnable: string(zoneHealthPassesToEnable)
  ReputationCache__RefreshSchedule: reputationCacheRefreshSchedule
  ReputationCache__RefreshBatch: string(reputationCacheRefreshBatch)
  ReputationCache__FailureTtl: reputationCacheFailureTtl
  Monitors__Schedule: monitorsSchedule
  Monitors__MaxAddresses: string(monitorsMaxAddresses)
}

// The page is served at the app's root, so its own address is right when no other is given.
var pageUrl = !empty(publicPageUrl) ? publicPageUrl : 'https://${apiName}.azurewebsites.net/'

// E-mail through the Communication Services resource created here, with the app's identity (no key); whitelist links
// signed with the generated secret.
var notificationSettings = union(toObject(range(0, length(adminEmails)), i => 'Notifications__AdminEmails__${i}', i => adminEmails[i]), {
  Email__Transport: 'acs'
  Email__From: !empty(emailFrom) ? emailFrom : email.outputs.senderAddress
  Email__Acs__Endpoint: email.outputs.endpoint
  Email__Acs__ClientId: apiIdentity.outputs.clientId
  Whitelist__LinkSecret: whitelistLinkSecret
  Whitelist__LinkLifetime: whitelistLinkLifetime
}, empty(whitelistEntryLifetime) ? {} : { Whitelist__EntryLifetime: whitelistEntryLifetime })

var contractSettings = union(dnsSettings, dnsblSettings, notificationSettings, timerSettings, {
  ReputationCache__Enabled: reputationCacheEnabled ? 'true' : 'false'
  Greylist__PurgeSchedule: greylistPurgeSchedule
  PublicPage__Url: pageUrl
})

// The tables of the stores (their TableName constants and options defaults) and the queues of the queue functions
// with the poison queues their failed messages end in. Storage__NamePrefix stays empty in Azure: the queue triggers
// name their queues without it. InfraTests derives both lists from the code and compares.
var tableNames = [
  'Greylist'
  'HostedLists'
  'Leases'
  'Monitors'
  'ReputationCache'
  'WhitelistRequests'
  'ZoneStates'
]

var queueNames = [
  'email-outbox'
  'email-outbox-poison'
  'whitelist-requests'
  'whitelist-requests-poison'
  'whitelist-approvals'
  'whitelist-approvals-poison'
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// The app's identity for storage and telemetry; its roles are in the rbac module.
module apiIdentity 'app/identity.bicep' = {
  name: 'apiIdentity'
  scope: rg
  params: {
    name: !empty(apiUserAssignedIdentityName)
      ? apiUserAssignedIdentityName
      : '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containers: [deploymentContainerName]
    tables: tableNames
    queues: queueNames
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    applicationInsightsName: !empty(applicationInsightsName)
      ? applicationInsightsName
      : '${abbrs.insightsComponents}${resourceToken}'
    logAnalyticsName: !empty(logAnalyticsName)
      ? logAnalyticsName
      : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
  }
}

module email 'app/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    emailServiceName: !empty(emailServiceName) ? emailServiceName : '${abbrs.communicationEmailServices}${resourceToken}'
    communicationServiceName: !empty(communicationServiceName)
      ? communicationServiceName
      : '${abbrs.communicationCommunicationServices}${resourceToken}'
    dataLocation: communicationDataLocation
    tags: tags
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: email.outputs.communicationServiceName
    identityPrincipalId: apiIdentity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: apiName
    planName: !empty(appServicePlanName) ? appServicePlanName : '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: apiIdentity.outputs.resourceId
    identityClientId: apiIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    appSettings: contractSettings
  }
  // The host needs its storage, telemetry and e-mail roles when it first starts.
  dependsOn: [
    rbac
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_COMMUNICATION_SERVICES_ENDPOINT string = email.outputs.endpoint
output AZURE_EMAIL_SENDER string = email.outputs.senderAddress
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
