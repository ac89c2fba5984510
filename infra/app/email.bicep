// E-mail through Azure Communication Services: an Email Communication Service with an Azure-managed domain
// (<random>.azurecomm.net, verified by Azure, nothing to set up in DNS), and a Communication Services resource linked to
// it that the app calls with its managed identity (the role is in rbac.bicep). No access key leaves this module.
param emailServiceName string
param communicationServiceName string
param tags object = {}

@description('Where ACS keeps its data at rest, e.g. Europe or United States. The domain and the resource must share it.')
param dataLocation string

resource emailService 'Microsoft.Communication/emailServices@2025-09-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }

  // An Azure-managed domain must have this name; it comes with the sender DoNotReply.
  resource managedDomain 'domains' = {
    name: 'AzureManagedDomain'
    location: 'global'
    tags: tags
    properties: {
      domainManagement: 'AzureManaged'
      userEngagementTracking: 'Disabled'
    }
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-09-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      emailService::managedDomain.id
    ]
  }
}

output communicationServiceName string = communicationService.name
// Email__Acs__Endpoint: the app gets an Entra ID token for it (no key).
output endpoint string = 'https://${communicationService.properties.hostName}/'
// Email__From: the managed domain's default sender.
output senderAddress string = 'DoNotReply@${emailService::managedDomain.properties.mailFromSenderDomain}'
